//! `kubeward render`: spec file → validated bundle directory (or stdout).

use std::io::Write;

use kubeward::bundle::{Bundle, RenderError, render};
use kubeward::diag::{Diagnostic, render_all};
use kubeward::output::{stream, write_bundle};
use kubeward::render::{embedded, with_overrides};
use kubeward::resolve::{Model, load_resolved};

use super::{FINDINGS, OK, OutputArgs, RenderArgs, USAGE};

pub fn run(args: &RenderArgs) -> u8 {
    match load_resolved(&args.file) {
        Ok((_, resolved)) => emit(&resolved.model, resolved.warnings, &args.out),
        Err(diags) => {
            report_spec(&diags);
            USAGE
        }
    }
}

/// Render a resolved model and write the bundle as `args` says.
pub(super) fn emit(model: &Model, warnings: Vec<Diagnostic>, args: &OutputArgs) -> u8 {
    match build(model, warnings, args) {
        Ok(bundle) => write(&bundle, args),
        Err(code) => code,
    }
}

/// Render and validate a bundle in memory, reporting problems; `Err` is the exit code.
pub(super) fn build(
    model: &Model,
    warnings: Vec<Diagnostic>,
    args: &OutputArgs,
) -> Result<Bundle, u8> {
    let templates = match &args.templates {
        Some(dir) => with_overrides(dir),
        None => embedded(),
    };
    let templates = match templates {
        Ok(t) => t,
        Err(e) => {
            eprintln!(
                "{e}\n  help: fix the template, or remove it from the `--templates` directory to use the built-in one"
            );
            return Err(USAGE);
        }
    };
    let bundle = match render(model, warnings, templates) {
        Ok(b) => b,
        Err(RenderError::Template(e)) => {
            eprintln!(
                "{e}\n  help: fix the template; values are passed as `{{{{name}}}}` (text) or `{{{{json value}}}}` (numbers, lists)"
            );
            return Err(USAGE);
        }
        Err(RenderError::Generated {
            file,
            origin,
            message,
        }) => {
            eprintln!(
                "{file}: error: {message}\n  note: rendered from `{origin}`\n  help: fix the template; nothing was written"
            );
            return Err(FINDINGS);
        }
        Err(RenderError::Invalid {
            findings,
            files,
            origins,
        }) => {
            for f in &findings {
                let text = files
                    .iter()
                    .find(|(p, _)| *p == f.file)
                    .map(|(_, t)| t.as_str());
                let origin = origins.get(&f.file).map_or("?", String::as_str);
                eprintln!(
                    "{}\n  note: rendered from `{origin}`\n",
                    f.to_diagnostic(text)
                );
            }
            eprintln!(
                "error: {} rendered document problem(s); nothing was written",
                findings.len()
            );
            return Err(FINDINGS);
        }
        Err(RenderError::Unproven {
            differences,
            origins,
        }) => return Err(super::flows::report_unproven(&differences, &origins)),
    };
    if !bundle.warnings.is_empty() {
        eprintln!("{}\n", render_all(&bundle.warnings));
    }
    if args.strict && !bundle.warnings.is_empty() {
        eprintln!(
            "error: {} warning(s) with --strict; nothing was written",
            bundle.warnings.len()
        );
        return Err(FINDINGS);
    }
    Ok(bundle)
}

/// Write a rendered bundle to the directory (or stream) `args` names.
pub(super) fn write(bundle: &Bundle, args: &OutputArgs) -> u8 {
    if args.output.as_os_str() == "-" {
        return write_stream(bundle);
    }
    if let Err(e) = write_bundle(&args.output, &bundle.files, args.force) {
        eprintln!("error: {e}\n  help: {}", e.help());
        return USAGE;
    }
    let others: Vec<&str> = bundle
        .files
        .iter()
        .map(|(p, _)| p.as_str())
        .filter(|p| !bundle.resources.iter().any(|r| r == p))
        .collect();
    eprintln!(
        "wrote {} manifests and {} to {} ({} warning(s)); apply with `kubectl apply -k {}`",
        bundle.resources.len(),
        others.join(", "),
        args.output.display(),
        bundle.warnings.len(),
        args.output.display()
    );
    OK
}

/// Write the applied manifests as one stream; files that are not API objects (the audit
/// policy) are named on stderr instead.
fn write_stream(bundle: &Bundle) -> u8 {
    let manifests: Vec<(String, String)> = bundle
        .files
        .iter()
        .filter(|(p, _)| bundle.resources.contains(p))
        .cloned()
        .collect();
    for (p, _) in bundle.files.iter().filter(|(p, _)| {
        !bundle.resources.contains(p) && p != "kustomization.yaml" && p != "README.md"
    }) {
        eprintln!(
            "note: `{p}` is not applied with kubectl and is left out of the stream; render with `-o DIR` to get it"
        );
    }
    if std::io::stdout()
        .write_all(stream(&manifests).as_bytes())
        .is_err()
    {
        return USAGE;
    }
    OK
}

pub(super) fn report_spec(diags: &[Diagnostic]) {
    eprintln!("{}", render_all(diags));
    let errors = diags.iter().filter(|d| d.is_error()).count();
    eprintln!("\nerror: the spec has {errors} error(s); nothing was written");
}
