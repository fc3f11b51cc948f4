//! After the questions: resolve the spec, show what will be written and confirm it, then
//! write the spec and have its bundle written. The caller, a [`Host`], does what the
//! library does not: render and write the bundle, and print messages.

use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, escape};
use crate::resolve::{Model, resolve};
use crate::spec::{ArgMap, LoadedSpec, Spec};

use super::{Options, Prompt, spec_text, summary};

/// What the wizard's caller does for it.
pub trait Host {
    /// A rendered and validated bundle.
    type Bundle;
    /// Why nothing (more) was written, once the host has said why (its exit code).
    type Failure;
    /// Say what is wrong with the spec.
    fn invalid(&mut self, diags: &[Diagnostic]) -> Self::Failure;
    /// Render and validate the bundle of `model`, saying what is wrong with it.
    fn build(
        &mut self,
        model: &Model,
        warnings: Vec<Diagnostic>,
    ) -> Result<Self::Bundle, Self::Failure>;
    /// Write the bundle; `force` replaces a non-empty output directory.
    fn write(&mut self, bundle: &Self::Bundle, force: bool) -> Result<(), Self::Failure>;
    /// Say an error and how to fix it.
    fn error(&mut self, message: &str, help: &str) -> Self::Failure;
    /// A progress message (`wrote …`).
    fn status(&mut self, text: &str);
    /// The spec and the bundle are being written (`true`) or are done (`false`).
    fn committing(&mut self, on: bool);
}

/// Where the wizard writes, and what is there.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// The spec file.
    pub spec: &'a Path,
    /// The bundle's directory (or `-`).
    pub output: &'a Path,
    /// Rewrite the spec and replace the directory without asking.
    pub force: bool,
    /// The spec file existed (and was added to).
    pub existed: bool,
}

/// How the confirm-and-write step ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome<F> {
    /// The spec and the bundle were written.
    Written,
    /// The person said no: nothing was written.
    Declined,
    /// The person stopped the wizard: nothing was written.
    Cancelled,
    /// Something went wrong and the host said what.
    Failed(F),
}

/// The person's answer to the confirmation.
enum Agreed {
    Yes { force: bool },
    Declined,
    Cancelled,
}

/// Resolve `spec`, confirm it (unless `opts.yes`), then write it and its bundle.
pub fn commit<H: Host>(
    host: &mut H,
    prompt: &mut dyn Prompt,
    opts: &Options,
    target: &Target,
    spec: &Spec,
) -> Outcome<H::Failure> {
    let loaded = LoadedSpec::from_args(spec.clone(), "init", ArgMap::default());
    let resolved = match resolve(&loaded) {
        Ok(r) => r,
        Err(diags) => return Outcome::Failed(host.invalid(&diags)),
    };
    let force = match may_write(host, prompt, opts, target, &resolved.model) {
        Ok(force) => force,
        Err(outcome) => return outcome,
    };
    let bundle = match host.build(&resolved.model, resolved.warnings) {
        Ok(b) => b,
        Err(f) => return Outcome::Failed(f),
    };
    host.committing(true);
    let written = write_all(host, target, spec, &bundle, force);
    host.committing(false);
    if let Err(f) = written {
        return Outcome::Failed(f);
    }
    host.status(&format!(
        "render it again after editing with `kubeward render -f {} -o {} --force`",
        target.spec.display(),
        target.output.display()
    ));
    Outcome::Written
}

/// Whether to write, and to replace a non-empty directory (`Ok(force)`): asked after the
/// summary, or without prompts decided by `--force` when the spec exists.
fn may_write<H: Host>(
    host: &mut H,
    prompt: &mut dyn Prompt,
    opts: &Options,
    target: &Target,
    model: &Model,
) -> Result<bool, Outcome<H::Failure>> {
    if !opts.yes {
        return match agree(prompt, target, model) {
            Agreed::Yes { force } => Ok(force),
            Agreed::Declined => Err(Outcome::Declined),
            Agreed::Cancelled => Err(Outcome::Cancelled),
        };
    }
    if target.existed && !target.force {
        return Err(Outcome::Failed(host.error(
            &format!("{} exists; nothing was written", target.spec.display()),
            "pass --force to rewrite it with the additions (comments in it are not kept)",
        )));
    }
    Ok(target.force)
}

/// Show the summary and ask to write (and to replace a non-empty directory).
fn agree(prompt: &mut dyn Prompt, target: &Target, model: &Model) -> Agreed {
    prompt.say(&format!("\n{}", summary(model)));
    let what = if target.existed {
        format!(
            "Rewrite {} (comments in it are not kept)",
            target.spec.display()
        )
    } else {
        format!("Write {}", target.spec.display())
    };
    let question = format!(
        "{what} and render the bundle into {}?",
        target.output.display()
    );
    match prompt.confirm(&question, true) {
        Ok(true) => {}
        Ok(false) => return Agreed::Declined,
        Err(_) => return Agreed::Cancelled,
    }
    if target.force || is_empty_dir(target.output) {
        return Agreed::Yes {
            force: target.force,
        };
    }
    let question = format!("{} is not empty: replace it?", target.output.display());
    match prompt.confirm(&question, false) {
        Ok(true) => Agreed::Yes { force: true },
        Ok(false) => Agreed::Declined,
        Err(_) => Agreed::Cancelled,
    }
}

/// Write the spec and have the bundle written, together or not at all: the spec goes
/// to a temporary file first, the bundle is written, and only then is the spec renamed
/// into place (a bundle that cannot be written leaves the old spec, or none, as it was).
fn write_all<H: Host>(
    host: &mut H,
    target: &Target,
    spec: &Spec,
    bundle: &H::Bundle,
    force: bool,
) -> Result<(), H::Failure> {
    let tmp = staging(target.spec);
    if let Err(e) = std::fs::write(&tmp, spec_text(spec)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(host.error(
            &format!(
                "cannot write {}: {e}; nothing was written",
                target.spec.display()
            ),
            "choose another place with --spec PATH",
        ));
    }
    if let Err(f) = host.write(bundle, force) {
        let _ = std::fs::remove_file(&tmp);
        return Err(f);
    }
    if let Err(e) = std::fs::rename(&tmp, target.spec) {
        let _ = std::fs::remove_file(&tmp);
        return Err(host.error(
            &format!(
                "the bundle was written, but {} could not be: {e}",
                target.spec.display()
            ),
            "choose another place with --spec PATH and run init again",
        ));
    }
    host.status(&format!(
        "wrote {}",
        escape(&target.spec.display().to_string())
    ));
    Ok(())
}

/// The temporary file the spec is written to before it is renamed into place.
fn staging(path: &Path) -> PathBuf {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".kubeward-tmp");
    PathBuf::from(tmp)
}

fn is_empty_dir(dir: &Path) -> bool {
    std::fs::read_dir(dir).map_or(true, |mut d| d.next().is_none())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wizard::{Flag, Preset, Scripted, run};

    /// A host that records what it was asked to do.
    #[derive(Default)]
    struct Recorder {
        said: Vec<String>,
        written: Option<bool>,
        /// The bundle cannot be written (a non-empty directory, a full disk).
        refuse: bool,
    }

    impl Host for Recorder {
        type Bundle = ();
        type Failure = String;
        fn invalid(&mut self, _: &[Diagnostic]) -> String {
            "invalid".into()
        }
        fn build(&mut self, _: &Model, _: Vec<Diagnostic>) -> Result<(), String> {
            Ok(())
        }
        fn write(&mut self, (): &(), force: bool) -> Result<(), String> {
            if self.refuse {
                return Err("the bundle cannot be written".into());
            }
            self.written = Some(force);
            Ok(())
        }
        fn error(&mut self, message: &str, _: &str) -> String {
            message.into()
        }
        fn status(&mut self, text: &str) {
            self.said.push(text.into());
        }
        fn committing(&mut self, on: bool) {
            self.said.push(format!("committing {on}"));
        }
    }

    fn spec_and_options(yes: bool) -> (Spec, Options) {
        let mut preset = Preset::default();
        preset.push(Flag::App, "web");
        preset.push(
            Flag::Image,
            "r.io/web:1@sha256:2f6c7a0d3c5e1b8f9a4d6e0c1b2a3f4e5d6c7b8a9f0e1d2c3b4a5f6e7d8c9b0a",
        );
        let opts = Options { preset, yes: true };
        let spec = run(&mut Scripted::default(), &opts, None).unwrap();
        (spec, Options { yes, ..opts })
    }

    fn target<'a>(dir: &'a Path, spec: &'a Path, existed: bool) -> Target<'a> {
        Target {
            spec,
            output: dir,
            force: false,
            existed,
        }
    }

    #[test]
    fn without_prompts_the_spec_and_the_bundle_are_written() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("kubeward.yaml");
        let (spec, opts) = spec_and_options(true);
        let mut host = Recorder::default();
        let outcome = commit(
            &mut host,
            &mut Scripted::default(),
            &opts,
            &target(dir.path(), &file, false),
            &spec,
        );
        assert_eq!(outcome, Outcome::Written);
        assert_eq!(host.written, Some(false));
        assert!(file.is_file());
        assert_eq!(host.said[0], "committing true");
        assert!(host.said[1].starts_with("wrote "), "{:?}", host.said);
        assert_eq!(host.said[2], "committing false");
        assert!(
            host.said[3].starts_with("render it again"),
            "{:?}",
            host.said
        );
    }

    #[test]
    fn an_existing_spec_needs_force_and_a_no_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("kubeward.yaml");
        let (spec, opts) = spec_and_options(true);
        let mut host = Recorder::default();
        let outcome = commit(
            &mut host,
            &mut Scripted::default(),
            &opts,
            &target(dir.path(), &file, true),
            &spec,
        );
        assert!(
            matches!(&outcome, Outcome::Failed(m) if m.ends_with("exists; nothing was written")),
            "{outcome:?}"
        );
        let (spec, opts) = spec_and_options(false);
        let mut prompt = Scripted::new(["n"]);
        let outcome = commit(
            &mut host,
            &mut prompt,
            &opts,
            &target(dir.path(), &file, false),
            &spec,
        );
        assert_eq!(outcome, Outcome::Declined);
        assert!(
            prompt.said.iter().any(|s| s.starts_with("? Write ")),
            "{:?}",
            prompt.said
        );
        assert_eq!(host.written, None);
        assert!(!file.exists());
    }

    #[test]
    fn a_bundle_that_cannot_be_written_leaves_no_spec_behind() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("kubeward.yaml");
        let (spec, opts) = spec_and_options(true);
        let mut host = Recorder {
            refuse: true,
            ..Recorder::default()
        };
        let outcome = commit(
            &mut host,
            &mut Scripted::default(),
            &opts,
            &target(dir.path(), &file, false),
            &spec,
        );
        assert_eq!(
            outcome,
            Outcome::Failed("the bundle cannot be written".into())
        );
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        assert!(
            !host.said.iter().any(|s| s.starts_with("wrote ")),
            "{:?}",
            host.said
        );
    }
}
