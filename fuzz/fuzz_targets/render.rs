//! Fuzz target: a spec that resolves always renders, and its bundle passes its own check
//! (a render error other than a template problem would be a bug).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(resolved) = kubeward::resolve::parse_resolved("fuzz.yaml", text) else {
        return;
    };
    let templates = kubeward::render::embedded().expect("the embedded templates load");
    if let Err(e) = kubeward::bundle::render(&resolved.model, resolved.warnings, templates) {
        panic!("a resolved spec failed to render: {e:?}");
    }
});
