//! Label and annotation keys kubeward writes and reads, decided once.

/// The app a pod belongs to; kubeward's policies select pods by it.
pub const APP_NAME: &str = "app.kubernetes.io/name";
/// The instance of the app.
pub const APP_INSTANCE: &str = "app.kubernetes.io/instance";
/// The version of the app (the image tag when it is a valid label value).
pub const APP_VERSION: &str = "app.kubernetes.io/version";
/// Which tool manages the object.
pub const MANAGED_BY: &str = "app.kubernetes.io/managed-by";
/// kubeward's value of [`MANAGED_BY`].
pub const MANAGER: &str = "kubeward";
/// The label the API server sets on every Namespace to its own name.
pub const NAMESPACE_NAME: &str = "kubernetes.io/metadata.name";
/// The team label of a Namespace.
pub const TEAM: &str = "team";
/// Rule exemptions with their written reasons: `rule-id: reason; other-rule: reason`.
pub const EXEMPT: &str = "kubeward.dev/exempt";
/// Why a namespace does not enforce Pod Security `restricted`.
pub const POD_SECURITY_EXEMPTION: &str = "kubeward.dev/pod-security-exemption";
/// Prefix of the Pod Security Admission labels (`enforce`, `audit`, `warn` and `-version`).
pub const POD_SECURITY_PREFIX: &str = "pod-security.kubernetes.io/";
