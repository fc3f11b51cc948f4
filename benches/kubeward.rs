//! `cargo bench`: the costs users feel, each next to its floor (a bare serde_yaml parse
//! of the same bytes): spec load, render with full validation and the flow proof, and
//! `check` of 1,000 and 10,000 documents, in one namespace or over 100, clean or full of
//! findings. Targets and results: README "Performance".

mod corpus;

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use kubeward::validate::{Options, validate, validate_documents};

fn spec_load(c: &mut Criterion) {
    let text = corpus::spec(200, 5);
    let mut g = c.benchmark_group("spec-200x5");
    g.bench_function("parse", |b| {
        b.iter(|| corpus::parse(&[(String::new(), text.clone())]))
    });
    g.bench_function("load+resolve", |b| {
        b.iter(|| corpus::resolved(black_box(&text)))
    });
    g.finish();
}

fn render(c: &mut Criterion) {
    for (name, ns) in [("render-1x5", 1), ("render-200x5", 200)] {
        let text = corpus::spec(ns, 5);
        let resolved = corpus::resolved(&text);
        let output = corpus::rendered(&text);
        let templates = kubeward::render::embedded().expect("templates");
        let mut g = c.benchmark_group(name);
        g.sample_size(10).measurement_time(Duration::from_secs(10));
        g.bench_function("parse-of-output", |b| {
            b.iter(|| corpus::parse(black_box(&output)))
        });
        g.bench_function("render+validate+proof", |b| {
            b.iter(|| {
                let r = resolved.clone();
                kubeward::bundle::render(&r.model, r.warnings, templates.clone()).expect("renders")
            })
        });
        if ns > 1 {
            let (_, docs) = validate_documents(
                &output,
                &Options {
                    cluster: true,
                    ..Options::default()
                },
            );
            g.bench_function("flow-proof", |b| {
                b.iter(|| kubeward::proof::prove(&resolved.model, black_box(&docs)))
            });
        }
        g.finish();
    }
}

fn check(c: &mut Criterion) {
    for count in [1_000, 10_000] {
        for namespaces in [1, 100] {
            for (kind, files) in [
                ("clean", corpus::hardened(count, namespaces)),
                ("findings", corpus::naive(count, namespaces)),
            ] {
                let docs = corpus::parse(&files);
                let mut g = c.benchmark_group(format!("check-{docs}docs-{namespaces}ns-{kind}"));
                g.sample_size(10).measurement_time(Duration::from_secs(5));
                g.bench_function("parse", |b| b.iter(|| corpus::parse(black_box(&files))));
                // `check` uses every core, as the command does; `check-1-thread` is the
                // same work on one thread, the fair match for the one-thread parse.
                for (name, jobs) in [("check", 0), ("check-1-thread", 1)] {
                    let opts = Options {
                        jobs,
                        ..Options::default()
                    };
                    g.bench_function(name, |b| {
                        b.iter(|| {
                            let report = validate(black_box(&files), &opts);
                            kubeward::report::text(&report, &files)
                        })
                    });
                }
                g.finish();
            }
        }
    }
}

criterion_group!(benches, spec_load, render, check);
criterion_main!(benches);
