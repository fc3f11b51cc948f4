//! Fuzz target: `kubeward check` never panics on any bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    let _ = kubeward::validate::validate(
        &[("fuzz.yaml".to_string(), text)],
        &kubeward::validate::Options::default(),
    );
});
