//! Loading a spec file: YAML text → typed [`Spec`] plus a position index for messages.

use crate::diag::{Diagnostic, Pos};
use crate::yaml::{PosIndex, index_documents};

use super::types::Spec;

/// A parsed spec together with where it came from.
#[derive(Debug, Clone)]
pub struct LoadedSpec {
    pub spec: Spec,
    /// The file name as given by the user (used in every message).
    pub file: String,
    pub text: String,
    pub index: PosIndex,
    /// Set when a front end built the spec from command-line arguments: which argument
    /// gave each part of the spec, so that messages name the flag instead of a position.
    pub args: Option<ArgMap>,
}

/// Which command-line argument set which part of a spec built from flags: pairs of a spec
/// path prefix (`namespaces[0].quota.requests.cpu`) and the argument (`--quota-cpu 4x`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArgMap(pub Vec<(String, String)>);

impl ArgMap {
    pub fn set(&mut self, path: impl Into<String>, arg: impl Into<String>) {
        self.0.push((path.into(), arg.into()));
    }

    /// The argument that set `path` or its nearest ancestor.
    pub fn find(&self, path: &str) -> Option<&str> {
        self.0
            .iter()
            .filter(|(p, _)| {
                path == p
                    || path
                        .strip_prefix(p.as_str())
                        .is_some_and(|rest| rest.starts_with(['.', '[']))
            })
            .max_by_key(|(p, _)| p.len())
            .map(|(_, a)| a.as_str())
    }
}

impl LoadedSpec {
    /// A spec built by a front end from the arguments of `command`.
    pub fn from_args(spec: Spec, command: &str, args: ArgMap) -> Self {
        LoadedSpec {
            spec,
            file: command.to_string(),
            text: String::new(),
            index: PosIndex::default(),
            args: Some(args),
        }
    }

    fn diagnostic(
        &self,
        path: &str,
        pos: Pos,
        make: fn(&str, Option<Pos>, String) -> Diagnostic,
        message: String,
    ) -> Diagnostic {
        let mut d = match &self.args {
            Some(args) => match args.find(path) {
                Some(arg) => make(&self.file, None, format!("`{arg}`: {message}")),
                None => make(&self.file, None, message),
            },
            None => make(&self.file, Some(pos), message).with_source(&self.text),
        };
        d.spec_path = Some(path.to_string());
        d
    }

    /// An error pointing at the value at `path` (or its nearest existing ancestor).
    pub fn error_at(&self, path: &str, message: impl Into<String>) -> Diagnostic {
        self.diagnostic(path, self.index.nearest(path), error, message.into())
    }

    /// An error pointing at the key that names the value at `path`.
    pub fn error_at_key(&self, path: &str, message: impl Into<String>) -> Diagnostic {
        let pos = self
            .index
            .key(path)
            .unwrap_or_else(|| self.index.nearest(path));
        self.diagnostic(path, pos, error, message.into())
    }

    /// A warning pointing at the value at `path`.
    pub fn warning_at(&self, path: &str, message: impl Into<String>) -> Diagnostic {
        self.diagnostic(path, self.index.nearest(path), warning, message.into())
    }
}

fn error(file: &str, pos: Option<Pos>, message: String) -> Diagnostic {
    Diagnostic::error(file, pos, message)
}

fn warning(file: &str, pos: Option<Pos>, message: String) -> Diagnostic {
    Diagnostic::warning(file, pos, message)
}

/// Parse spec text. `file` is only used in messages.
pub fn parse(file: &str, text: &str) -> Result<LoadedSpec, Vec<Diagnostic>> {
    // Editors on Windows may start a file with a byte-order mark; it is not content.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty()
        || text
            .lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        return Err(vec![
            Diagnostic::error(file, Some(Pos::new(1, 1)), "the spec is empty")
                .with_help("start with `version: 1`, a `namespaces:` list and an `apps:` list; `kubeward init` writes one for you"),
        ]);
    }
    let docs = index_documents(text).map_err(|e| {
        let d = if e.too_large {
            Diagnostic::error(file, Some(e.pos), "the spec is larger than 3 MiB")
                .with_help("a spec describes apps, namespaces and flows in a few kilobytes; split a very large one into several spec files")
        } else {
            Diagnostic::error(file, Some(e.pos), format!("invalid YAML: {}", e.message))
                .with_help("check the indentation and quoting around this position")
        };
        vec![d.with_source(text)]
    })?;
    if docs.len() > 1 {
        return Err(vec![
            Diagnostic::error(
                file,
                Some(docs[1].start),
                "a spec file holds one YAML document, found several",
            )
            .with_source(text)
            .with_help(
                "remove the `---` separator, or split the documents into separate spec files",
            ),
        ]);
    }
    let spec: Spec = serde_yaml::from_str(text).map_err(|e| vec![serde_error(file, text, &e)])?;
    let index = docs.into_iter().next().unwrap_or_default();
    Ok(LoadedSpec {
        spec,
        file: file.to_string(),
        text: text.to_string(),
        index,
        args: None,
    })
}

/// How the message of a spec file that cannot be read begins.
pub const UNREADABLE: &str = "cannot read the spec";

/// Whether `d` says that the spec file could not be read (rather than what is wrong in it).
pub fn is_unreadable(d: &Diagnostic) -> bool {
    d.pos.is_none() && d.message.starts_with(UNREADABLE)
}

/// Read and parse a spec file.
pub fn load(path: &std::path::Path) -> Result<LoadedSpec, Vec<Diagnostic>> {
    let file = path.display().to_string();
    let text = crate::input::read_file(path).map_err(|e| {
        vec![
            Diagnostic::error(&file, None, format!("{UNREADABLE}: {e}"))
                .with_help("pass the spec file with `-f FILE`; `kubeward init` writes one"),
        ]
    })?;
    parse(&file, &text)
}

/// Turn a serde_yaml error into a diagnostic with position and a help line.
fn serde_error(file: &str, text: &str, e: &serde_yaml::Error) -> Diagnostic {
    let raw = e.to_string();
    // serde_yaml appends " at line L column C"; we show the position ourselves.
    let message = match raw.rfind(" at line ") {
        Some(i) => raw[..i].to_string(),
        None => raw.clone(),
    };
    // serde_yaml also breaks lines at NEL, LS and PS; count them as the snippet does.
    let pos = e.location().map(|l| crate::yaml::pos_at(text, l.index()));
    Diagnostic::error(file, pos, message.clone())
        .with_source(text)
        .with_help(help_for(&message))
}

/// The accepted field closest to the unknown one in serde's message
/// ("unknown field `excpet`, expected `cidr` or `except`").
fn did_you_mean(message: &str) -> Option<String> {
    let ticked: Vec<&str> = message.split('`').skip(1).step_by(2).collect();
    let (unknown, expected) = ticked.split_first()?;
    crate::suggest::closest(unknown, expected.iter().copied()).map(str::to_string)
}

fn help_for(message: &str) -> String {
    if message.contains("unknown field `<<`") {
        "YAML merge keys (`<<`) are not supported in a spec; write the fields out".into()
    } else if message.contains("duplicate field") || message.contains("duplicate entry") {
        "a key may appear once per mapping; remove or merge the repeated one".into()
    } else if message.contains("unknown field") {
        match did_you_mean(message) {
            Some(field) => format!("did you mean `{field}`? Fields are case-sensitive; docs/spec-format.md lists every field"),
            None => "remove the field or fix its spelling; the fields this place accepts are listed above (docs/spec-format.md describes each)".into(),
        }
    } else if message.contains("missing field `version`") {
        "add `version: 1` at the top of the spec".into()
    } else if message.contains("missing field") {
        "add the required field named above".into()
    } else if message.contains("expected a string") {
        "give a single text value here (a list or map is not allowed); quote it if in doubt, e.g. \"8080\"".into()
    } else if message.contains("unknown variant") {
        "use one of the values listed above".into()
    } else if message.contains("did not match any variant of untagged enum FlowTarget") {
        "`to:` takes an app name, `namespace/app`, `ingress`, `kube-apiserver` or `{ cidr: ..., except: [...] }`".into()
    } else if message.contains("did not match any variant of untagged enum PortRef") {
        "a port is a container port name such as `http` or a number from 1 to 65535".into()
    } else if message.contains("invalid type") {
        "change the value to the type named above".into()
    } else {
        "check the value at this position against the spec format".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_field_has_position_and_help() {
        let text = "version: 1\nnamespaces:\n  - name: a\napps:\n  - name: web\n    namespace: a\n    imgae: x\n";
        let errs = parse("s.yaml", text).unwrap_err();
        assert_eq!(errs.len(), 1);
        let e = &errs[0];
        assert_eq!(e.pos, Some(Pos::new(7, 5)), "{e}");
        assert!(e.message.contains("unknown field `imgae`"), "{e}");
        assert!(e.help.is_some());
    }

    #[test]
    fn a_byte_order_mark_is_ignored() {
        assert!(parse("s.yaml", "\u{feff}version: 1\nnamespaces: [{ name: a }]\n").is_ok());
    }

    #[test]
    fn duplicate_keys_and_merge_keys_get_specific_help() {
        let dup = parse("s.yaml", "version: 1\nversion: 1\n").unwrap_err();
        assert!(
            dup[0].help.as_deref().unwrap().contains("once per mapping"),
            "{}",
            dup[0]
        );
        let merge = parse(
            "s.yaml",
            "version: 1\nnamespaces:\n  - &n { name: a }\n  - <<: *n\n    name: b\n",
        )
        .unwrap_err();
        assert!(
            merge[0].help.as_deref().unwrap().contains("merge keys"),
            "{}",
            merge[0]
        );
    }

    #[test]
    fn empty_spec_is_an_error() {
        let errs = parse("s.yaml", "# nothing\n\n").unwrap_err();
        assert!(errs[0].message.contains("empty"));
    }

    #[test]
    fn two_documents_are_refused() {
        let errs = parse("s.yaml", "version: 1\n---\nversion: 1\n").unwrap_err();
        assert!(errs[0].message.contains("one YAML document"), "{}", errs[0]);
        assert_eq!(errs[0].pos.unwrap().line, 2);
    }

    #[test]
    fn env_values_keep_their_text() {
        let text = "version: 1\napps:\n  - name: w\n    namespace: a\n    image: i\n    env: { PORT: 8080, V: 1.10, ON: on, T: true }\n";
        let spec = parse("s.yaml", text).unwrap().spec;
        let env: Vec<(&str, &str)> = spec.apps[0]
            .env
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            env,
            [("ON", "on"), ("PORT", "8080"), ("T", "true"), ("V", "1.10")]
        );
    }

    #[test]
    fn env_values_must_be_scalars() {
        let text = "version: 1\napps:\n  - name: w\n    namespace: a\n    image: i\n    env: { LIST: [1, 2] }\n";
        let errs = parse("s.yaml", text).unwrap_err();
        assert!(errs[0].message.contains("expected a string"), "{}", errs[0]);
        assert_eq!(errs[0].pos.unwrap().line, 6);
    }

    #[test]
    fn syntax_error_has_position() {
        let errs = parse("s.yaml", "version: 1\napps: [\n").unwrap_err();
        assert!(errs[0].message.starts_with("invalid YAML"), "{}", errs[0]);
        assert!(errs[0].pos.is_some());
    }
}
