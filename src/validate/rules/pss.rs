//! The Pod Security Standards controls not covered by the `pod` group: Windows
//! HostProcess, /proc mount, sysctls, SELinux, AppArmor, probe hosts and volume types.

use super::psa::{self, Pod};
use super::{Hit, POD_KINDS, rule};
use crate::validate::Document;

/// Run one PSA control's check on a workload.
fn control(doc: &Document, check: fn(&Pod) -> Vec<Hit>) -> Vec<Hit> {
    psa::pod(doc).map_or(Vec::new(), |p| check(&p))
}

/// The checks of one PSA control, by name.
fn named(name: &str) -> fn(&Pod) -> Vec<Hit> {
    psa::CONTROLS
        .iter()
        .find(|c| c.name == name)
        .map(|c| c.check)
        .expect("a PSA control of that name")
}

rule!(NoWindowsHostProcess {
    id: "no-windows-host-process",
    title: "Pods do not run as Windows HostProcess containers",
    severity: Error,
    kinds: POD_KINDS,
    rationale: "A HostProcess container runs directly on the Windows node with the node's privileges; there is no container boundary at all.",
    fix: "remove `securityContext.windowsOptions.hostProcess` (or set it to false) on the pod and every container",
    refs: [
        "PSS baseline: windowsHostProcess",
        "CIS 5.2.10",
        "Polaris hostProcess"
    ],
    check: |doc, _| control(doc, named("windowsHostProcess")),
});

rule!(ProcMountDefault {
    id: "proc-mount-default",
    title: "Containers use the default /proc mount",
    severity: Error,
    kinds: POD_KINDS,
    rationale: "`procMount: Unmasked` exposes the node's /proc paths that the runtime normally masks (kernel keys, timers, sysrq); the restricted level forbids it even with user namespaces.",
    fix: "remove `securityContext.procMount` or set it to `Default`",
    refs: [
        "PSS baseline: procMount",
        "PSS restricted: procMount_restricted",
        "Polaris procMount",
        "kube-linter unsafe-proc-mount"
    ],
    check: |doc, _| control(doc, named("procMount_restricted")),
});

rule!(NoUnsafeSysctls {
    id: "no-unsafe-sysctls",
    title: "Pods set only safe sysctls",
    severity: Error,
    kinds: POD_KINDS,
    rationale: "Sysctls outside the namespaced safe set change kernel settings for every pod of the node, or open denial-of-service paths.",
    fix: "remove `securityContext.sysctls` entries not in the Pod Security safe list (kernel.shm_rmid_forced, net.ipv4.ip_local_port_range, net.ipv4.tcp_syncookies…)",
    refs: ["PSS baseline: sysctls", "kube-linter unsafe-sysctls"],
    check: |doc, _| control(doc, named("sysctls")),
});

rule!(SelinuxOptionsRestricted {
    id: "selinux-options-restricted",
    title: "SELinux options keep the container type",
    severity: Error,
    kinds: POD_KINDS,
    rationale: "A custom SELinux user, role or a non-container type (e.g. `spc_t`) lifts the label confinement that keeps a container away from host files.",
    fix: "remove `seLinuxOptions.user` and `.role`; leave `.type` unset or use container_t, container_init_t, container_kvm_t or container_engine_t",
    refs: ["PSS baseline: seLinuxOptions", "NSA/CISA 1.8"],
    check: |doc, _| control(doc, named("seLinuxOptions")),
});

rule!(ApparmorNotUnconfined {
    id: "apparmor-not-unconfined",
    title: "AppArmor is not turned off",
    severity: Error,
    kinds: POD_KINDS,
    rationale: "An Unconfined AppArmor profile removes the runtime's default mandatory access control around the container.",
    fix: "remove the Unconfined profile: leave `appArmorProfile` unset or use `RuntimeDefault` / `Localhost` (annotation values `runtime/default` or `localhost/<profile>`)",
    refs: [
        "PSS baseline: appArmorProfile",
        "kubesec ApparmorUnconfined",
        "NSA/CISA 1.9"
    ],
    check: |doc, _| control(doc, named("appArmorProfile")),
});

rule!(NoProbeHostOverride {
    id: "no-probe-host-override",
    title: "Probes and lifecycle hooks do not target other hosts",
    severity: Error,
    kinds: POD_KINDS,
    rationale: "The kubelet sends probes and hooks from the node: a `host` field lets a pod make the node reach any address, bypassing NetworkPolicy.",
    fix: "remove `host` from every httpGet and tcpSocket probe and lifecycle handler; the pod IP is used by default",
    refs: ["PSS baseline: hostProbesAndHostLifecycle (policy 1.34)"],
    check: |doc, _| control(doc, named("hostProbesAndHostLifecycle")),
});

rule!(RestrictedVolumeTypes {
    id: "restricted-volume-types",
    title: "Pods use only the volume types of the restricted level",
    severity: Error,
    kinds: POD_KINDS,
    rationale: "Only configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected and secret volumes are safe to hand to any pod; others (nfs, iscsi, rbd…) reach storage directly with node credentials. hostPath is reported by `no-host-path`.",
    fix: "replace the volume with a persistentVolumeClaim (the admin-managed PersistentVolume holds the storage details) or one of the allowed types",
    refs: ["PSS restricted: restrictedVolumes"],
    check: |doc, _| control(doc, psa::restricted_volumes)
        .into_iter()
        .filter(|h| !h.path.ends_with(".hostPath"))
        .collect(),
});
