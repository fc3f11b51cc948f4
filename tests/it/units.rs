//! The scope of the cross-object rules: objects without a namespace belong to their
//! directory (or kustomization root) unless `--cluster` says the inputs are one
//! cluster; selectors on labels that controllers and operators add select pods.

use kubeward::validate::{Finding, Options, validate};

use crate::support::kubeward;

const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
";

const PDB: &str = "apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: web
spec:
  minAvailable: 2
  selector:
    matchLabels: {app: web}
";

const SERVICE: &str = "apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
    - {port: 80, targetPort: http}
";

/// The cross-object findings (a budget or a Service meeting the Deployment) of a run.
fn cross(files: &[(&str, &str)], cluster: bool) -> Vec<Finding> {
    let files: Vec<(String, String)> = files
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect();
    let opts = Options {
        cluster,
        ..Options::default()
    };
    validate(&files, &opts)
        .findings
        .into_iter()
        .filter(|f| {
            ["pdb-allows-disruption", "service-target-port-exists"].contains(&f.rule.as_ref())
        })
        .collect()
}

#[test]
fn unrelated_example_directories_are_not_compared() {
    let tree = [
        ("examples/a/pdb.yaml", PDB),
        ("examples/a/service.yaml", SERVICE),
        ("examples/b/deployment.yaml", DEPLOYMENT),
    ];
    assert_eq!(cross(&tree, false), Vec::new());
    let one: Vec<String> = cross(&tree, true)
        .into_iter()
        .map(|f| f.rule.into_owned())
        .collect();
    assert_eq!(one, ["pdb-allows-disruption", "service-target-port-exists"]);
}

#[test]
fn a_directory_and_a_kustomization_root_are_one_unit() {
    let same_dir = [("ex/a/pdb.yaml", PDB), ("ex/a/deployment.yaml", DEPLOYMENT)];
    assert_eq!(cross(&same_dir, false).len(), 1);
    let kustomized = [
        (
            "app/kustomization.yaml",
            "resources: [base/deployment.yaml, pdb.yaml]\n",
        ),
        ("app/pdb.yaml", PDB),
        ("app/base/deployment.yaml", DEPLOYMENT),
    ];
    assert_eq!(cross(&kustomized, false).len(), 1);
}

#[test]
fn objects_naming_their_namespace_meet_across_directories() {
    let with_ns = |t: &str| t.replacen("  name: web\n", "  name: web\n  namespace: shop\n", 1);
    let (pdb, deployment) = (with_ns(PDB), with_ns(DEPLOYMENT));
    let tree = [
        ("x/pdb.yaml", pdb.as_str()),
        ("y/deployment.yaml", deployment.as_str()),
    ];
    assert_eq!(cross(&tree, false).len(), 1);
}

#[test]
fn selectors_on_controller_and_operator_labels_select_pods() {
    let statefulset = DEPLOYMENT
        .replace("kind: Deployment", "kind: StatefulSet")
        .replace("  replicas: 2\n", "  replicas: 2\n  serviceName: web\n");
    let per_pod = "apiVersion: v1
kind: Service
metadata:
  name: web-0
spec:
  selector: {app: web, statefulset.kubernetes.io/pod-name: web-0}
  ports: [{port: 80}]
";
    let pdb = "apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: prometheus
spec:
  maxUnavailable: 1
  selector:
    matchLabels: {app.kubernetes.io/name: prometheus, prometheus: k8s}
";
    let text = format!("{statefulset}---\n{per_pod}---\n{pdb}");
    let report = validate(&[("d/all.yaml".into(), text)], &Options::default());
    let selects_nothing: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| ["service-targets-pods", "pdb-targets-pods"].contains(&f.rule.as_ref()))
        .collect();
    assert!(selects_nothing.is_empty(), "{selects_nothing:#?}");
    // A typo still selects nothing.
    let typo = per_pod.replace("app: web,", "app: wbe,");
    let report = validate(
        &[("d/all.yaml".into(), format!("{statefulset}---\n{typo}"))],
        &Options::default(),
    );
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.rule == "service-targets-pods")
    );
}

#[test]
fn the_cluster_flag_compares_every_directory() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [("a/pdb.yaml", PDB), ("b/deployment.yaml", DEPLOYMENT)] {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let run = |extra: &[&str]| {
        let out = kubeward()
            .arg("check")
            .arg(dir.path())
            .args(extra)
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    assert!(!run(&[]).contains("pdb-allows-disruption"));
    assert!(run(&["--cluster"]).contains("pdb-allows-disruption"));
}
