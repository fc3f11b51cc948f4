//! `kubeward render`: spec file → validated bundle directory (or stdout).

use std::path::Path;

use kubeward::bundle::{Bundle, RenderError, render};
use kubeward::diag::{Diagnostic, escape, render_all};
use kubeward::output::{stream, write_bundle};
use kubeward::render::{embedded, with_overrides};
use kubeward::resolve::{Model, load_resolved};

use super::{Exit, OutputArgs, RenderArgs, drift, out};

pub fn run(args: &RenderArgs) -> Exit {
    match load_resolved(&args.spec.file) {
        Ok((_, resolved)) if args.check || args.diff => {
            match build(&resolved.model, resolved.warnings, &args.out) {
                Ok(bundle) => {
                    drift::run(&bundle, &args.spec.file, &args.out.dir.output, args.check)
                }
                Err(code) => code,
            }
        }
        Ok((_, resolved)) => emit(
            &resolved.model,
            resolved.warnings,
            &args.out,
            Some(&args.spec.file),
        ),
        Err(diags) => {
            report_spec(&diags);
            Exit::Usage
        }
    }
}

/// Render a resolved model (of the spec `spec_file`, when it came from a file) and write
/// the bundle as `args` says.
pub(super) fn emit(
    model: &Model,
    warnings: Vec<Diagnostic>,
    args: &OutputArgs,
    spec_file: Option<&Path>,
) -> Exit {
    match build(model, warnings, args) {
        Ok(bundle) => write(&bundle, args, spec_file),
        Err(code) => code,
    }
}

/// Render and validate a bundle in memory, reporting problems; `Err` is the exit code.
pub(super) fn build(
    model: &Model,
    warnings: Vec<Diagnostic>,
    args: &OutputArgs,
) -> Result<Bundle, Exit> {
    let templates = match &args.templates {
        Some(dir) => with_overrides(dir),
        None => embedded(),
    };
    let templates = match templates {
        Ok(t) => t,
        Err(e) => {
            out::stderr(format_args!(
                "{}\n  help: fix the template, or remove it from the `--templates` directory to use the built-in one",
                out::escape_lines(&e.to_string())
            ));
            return Err(Exit::Usage);
        }
    };
    let bundle = match render(model, warnings, templates) {
        Ok(b) => b,
        Err(e) => return Err(report_render_error(e)),
    };
    if !bundle.warnings.is_empty() {
        out::stderr(format_args!("{}\n", render_all(&bundle.warnings)));
    }
    if args.strict && !bundle.warnings.is_empty() {
        out::stderr(format_args!(
            "error: {} warning(s) with --strict; nothing was written",
            bundle.warnings.len()
        ));
        return Err(Exit::Findings);
    }
    Ok(bundle)
}

/// Say why a render produced nothing; returns the exit code.
fn report_render_error(e: RenderError) -> Exit {
    match e {
        RenderError::Template(e) => {
            out::stderr(format_args!(
                "{}\n  help: fix the template; values are passed as `{{{{name}}}}` (text) or `{{{{json value}}}}` (numbers, lists)",
                out::escape_lines(&e.to_string())
            ));
            Exit::Usage
        }
        RenderError::Generated {
            file,
            origin,
            message,
        } => {
            out::stderr(format_args!(
                "{}: error: {}\n  note: rendered from `{}`\n  help: fix the template; nothing was written",
                escape(&file),
                escape(&message),
                escape(&origin)
            ));
            Exit::Findings
        }
        RenderError::Invalid {
            findings,
            files,
            origins,
        } => {
            for f in &findings {
                let text = files
                    .iter()
                    .find(|(p, _)| *p == f.file)
                    .map(|(_, t)| t.as_str());
                let origin = origins.get(&f.file).map_or("?", String::as_str);
                out::stderr(format_args!(
                    "{}\n  note: rendered from `{}`\n",
                    f.to_diagnostic(text),
                    escape(origin)
                ));
            }
            out::stderr(format_args!(
                "error: {} rendered document problem(s); nothing was written",
                findings.len()
            ));
            Exit::Findings
        }
        RenderError::Unproven {
            differences,
            origins,
        } => super::flows::report_unproven(&differences, &origins),
    }
}

/// Write a rendered bundle to the directory (or stream) `args` names; the directory may
/// not hold the spec (`spec_file`) or the `--templates` directory.
pub(super) fn write(bundle: &Bundle, args: &OutputArgs, spec_file: Option<&Path>) -> Exit {
    if args.dir.output.as_os_str() == "-" {
        return write_stream(bundle);
    }
    let inputs: Vec<&Path> = spec_file
        .into_iter()
        .chain(args.templates.as_deref())
        .collect();
    if let Err(e) = write_bundle(&args.dir.output, &bundle.files, args.force, &inputs) {
        out::error(&e, e.help());
        return Exit::Usage;
    }
    let others: Vec<&str> = bundle
        .files
        .iter()
        .map(|(p, _)| p.as_str())
        .filter(|p| !bundle.resources.iter().any(|r| r == p))
        .collect();
    let dir = args.dir.output.display().to_string();
    out::status(format_args!(
        "wrote {} manifests and {} to {} ({} warning(s)); apply with `kubectl apply -k {}`",
        bundle.resources.len(),
        others.join(", "),
        escape(&dir),
        bundle.warnings.len(),
        escape(&dir)
    ));
    Exit::Ok
}

/// Write the applied manifests as one stream; files that are not API objects (the audit
/// policy) are named on stderr instead.
fn write_stream(bundle: &Bundle) -> Exit {
    let manifests: Vec<(String, String)> = bundle
        .files
        .iter()
        .filter(|(p, _)| bundle.resources.contains(p))
        .cloned()
        .collect();
    for (p, _) in bundle.files.iter().filter(|(p, _)| {
        !bundle.resources.contains(p) && p != "kustomization.yaml" && p != "README.md"
    }) {
        out::stderr(format_args!(
            "note: `{}` is not applied with kubectl and is left out of the stream; render with `-o DIR` to get it",
            escape(p)
        ));
    }
    out::print(&stream(&manifests))
}

/// Print the problems of a spec and the closing line; a spec file that could not be read
/// is that one message, not a count of errors in it.
pub(super) fn report_spec(diags: &[Diagnostic]) {
    out::stderr(render_all(diags));
    if diags.iter().any(kubeward::spec::is_unreadable) {
        return;
    }
    let errors = diags.iter().filter(|d| d.is_error()).count();
    out::stderr(format_args!(
        "\nerror: the spec has {errors} error(s); nothing was written"
    ));
}
