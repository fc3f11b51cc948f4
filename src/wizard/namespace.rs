//! Namespace questions: a new namespace, its team and quota, and the access loop (who
//! may do what in it).

use crate::spec::{
    Access, AccessRole, CpuMemory, Namespace, Quantity, Quota, Subject, SubjectKind,
};

use super::{Flag, Q, Session, WizardError, parse};

const KINDS: [(&str, SubjectKind); 3] = [
    ("a user", SubjectKind::User),
    ("a group", SubjectKind::Group),
    (
        "a service account (namespace/name)",
        SubjectKind::ServiceAccount,
    ),
];
const ROLES: [(&str, AccessRole); 3] = [
    (
        "read: get, list and watch workloads, pods, services… (never Secrets)",
        AccessRole::Read,
    ),
    (
        "write: read, and deploy workloads, services and configmaps",
        AccessRole::Write,
    ),
    (
        "admin: write, and manage the namespace's Roles and RoleBindings",
        AccessRole::Admin,
    ),
];

impl Session<'_> {
    /// Ask for a namespace of its own (not for an app) and its details.
    pub fn new_namespace(&mut self, name: Option<&str>) -> Result<usize, WizardError> {
        let j = self.spec.namespaces.len();
        let q = Q::new(Flag::Namespace, "Namespace name").path(format!("namespaces[{j}].name"));
        let q = match name {
            Some(n) => q.default(n),
            None => q,
        };
        self.ask(q, move |s, a| {
            s.namespaces.truncate(j);
            s.namespaces.push(Namespace {
                name: a.to_string(),
                ..Default::default()
            });
            Ok(())
        })?;
        self.namespace_details(j)?;
        Ok(j)
    }

    /// Team, quota and (interactively) access of namespace `j`.
    pub fn namespace_details(&mut self, j: usize) -> Result<(), WizardError> {
        let name = self.spec.namespaces[j].name.clone();
        self.section(&format!("Namespace `{name}`"));
        let q = Q::new(
            Flag::Team,
            "Team (a label on the namespace; empty for none)",
        )
        .default("")
        .path(format!("namespaces[{j}].team"));
        self.ask(q, move |s, a| {
            s.namespaces[j].team = (!a.is_empty()).then(|| a.to_string());
            Ok(())
        })?;
        self.quota(j)?;
        if self.interactive() {
            self.access_loop(j)?;
        }
        Ok(())
    }

    fn quota(&mut self, j: usize) -> Result<(), WizardError> {
        let flags = [Flag::QuotaPods, Flag::QuotaCpu, Flag::QuotaMemory];
        let given = flags.iter().any(|f| self.preset(*f).is_some());
        if !given
            && !self.confirm(
                "Change the namespace quota (default 10 pods; requests 2 CPU, 4Gi; limits 4 CPU, 8Gi)?",
                false,
            )?
        {
            return Ok(());
        }
        let path = format!("namespaces[{j}].quota");
        let q = Q::new(Flag::QuotaPods, "Pods at most")
            .default("10")
            .path(&path);
        self.ask(q, move |s, a| {
            let pods = a.parse().map_err(|_| format!("`{a}` is not a number"))?;
            s.namespaces[j]
                .quota
                .get_or_insert_with(Quota::default)
                .pods = Some(pods);
            Ok(())
        })?;
        for (flag, text, default, cpu) in [
            (
                flags[1],
                "CPU for all pods (requests and limits)",
                "4",
                true,
            ),
            (
                flags[2],
                "Memory for all pods (requests and limits)",
                "8Gi",
                false,
            ),
        ] {
            let q = Q::new(flag, text).default(default).path(&path);
            self.ask(q, move |s, a| {
                let quota = s.namespaces[j].quota.get_or_insert_with(Quota::default);
                for set in [&mut quota.requests, &mut quota.limits] {
                    let set = set.get_or_insert_with(CpuMemory::default);
                    let q = Some(Quantity(a.to_string()));
                    if cpu { set.cpu = q } else { set.memory = q }
                }
                Ok(())
            })?;
        }
        Ok(())
    }

    /// Interactively: choose a namespace, then grant access in it.
    pub fn access_to_any(&mut self) -> Result<(), WizardError> {
        if !self.interactive() || self.spec.namespaces.is_empty() {
            return Ok(());
        }
        let items: Vec<String> = self
            .spec
            .namespaces
            .iter()
            .map(|n| n.name.clone())
            .collect();
        let j = self.p.select("Namespace", &items, 0)?;
        self.access_loop(j)
    }

    /// "Add another?" loop of access entries for namespace `j`.
    fn access_loop(&mut self, j: usize) -> Result<(), WizardError> {
        let name = self.spec.namespaces[j].name.clone();
        let mut question = format!("Give a person, group or service account access to `{name}`?");
        while self.p.confirm(&question, false)? {
            self.one_access(j)?;
            question = format!("Add another access entry to `{name}`?");
        }
        Ok(())
    }

    fn one_access(&mut self, j: usize) -> Result<(), WizardError> {
        let k = self.spec.namespaces[j].access.len();
        let labels: Vec<String> = KINDS.iter().map(|(l, _)| l.to_string()).collect();
        let kind = KINDS[self.p.select("Who", &labels, 0)?].1;
        let labels: Vec<String> = ROLES.iter().map(|(l, _)| l.to_string()).collect();
        let role = ROLES[self.p.select("Role", &labels, 0)?].1;
        self.spec.namespaces[j].access.push(Access {
            subject: Subject {
                kind,
                name: String::new(),
            },
            role,
            resources: None,
            exec: false,
        });
        let at = format!("namespaces[{j}].access[{k}]");
        let q =
            Q::asked("Name (as your identity provider spells it)").path(format!("{at}.subject"));
        self.ask(q, move |s, a| {
            s.namespaces[j].access[k].subject.name = a.to_string();
            Ok(())
        })?;
        let q = Q::asked(
            "Only these resources (comma-separated, e.g. `pods`; empty for the whole role)",
        )
        .default("")
        .path(format!("{at}.resources"));
        self.ask_list(q, move |s, items| {
            s.namespaces[j].access[k].resources = (!items.is_empty()).then(|| items.to_vec());
            Ok(())
        })?;
        let exec = self.p.confirm(
            "Also allow `kubectl exec`, attach and port-forward (recorded by the audit policy)?",
            false,
        )?;
        self.spec.namespaces[j].access[k].exec = exec;
        Ok(())
    }

    /// `--access NS:KIND:NAME:ROLE[:exec]` entries, each checked.
    pub fn access_from_flags(&mut self) -> Result<(), WizardError> {
        let Some(items) = self.preset(Flag::Access).cloned() else {
            return Ok(());
        };
        let invalid = |reasons| WizardError::Invalid {
            flag: Flag::Access,
            reasons,
        };
        for item in items {
            let (ns, access) = parse::access(&item).map_err(|e| invalid(vec![e]))?;
            let j = self
                .spec
                .namespaces
                .iter()
                .position(|n| n.name == ns)
                .ok_or_else(|| {
                    invalid(vec![format!(
                        "`{item}`: namespace `{ns}` is not in the spec"
                    )])
                })?;
            let k = self.spec.namespaces[j].access.len();
            let mut candidate = self.spec.clone();
            candidate.namespaces[j].access.push(access);
            let path = format!("namespaces[{j}].access[{k}]");
            self.check(&candidate, &[path])
                .map_err(|r| invalid(r.into_iter().map(|e| format!("`{item}`: {e}")).collect()))?;
            self.spec = candidate;
        }
        Ok(())
    }
}
