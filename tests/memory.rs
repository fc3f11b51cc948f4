//! Peak heap of `check` on adversarial megabyte inputs, measured by a counting global
//! allocator (a bound on bytes, not on time). A test binary of its own: the allocator
//! counts every thread, so these run one at a time and share it with no other test.

// A global allocator is an unsafe trait: the one place kubeward allows unsafe code.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use kubeward::validate::{Options, validate};

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
/// One measurement at a time (the test harness runs tests on several threads).
static ONE: Mutex<()> = Mutex::new(());

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(now, Ordering::Relaxed);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Bytes allocated at the peak of checking `text` as one file, above what was allocated
/// before (the text itself is not counted), and the number of findings.
fn peak_of_check(text: String) -> (usize, usize) {
    let _one = ONE.lock().unwrap_or_else(|e| e.into_inner());
    let files = vec![("input.yaml".to_string(), text)];
    let before = CURRENT.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let report = validate(&files, &Options::default());
    let peak = PEAK.load(Ordering::Relaxed) - before;
    (peak, report.findings.len())
}

const MB: usize = 1 << 20;

#[test]
fn a_megabyte_of_empty_documents_costs_no_index_per_document() {
    // 262,144 `---` lines: every empty document's position index used to be kept until
    // the whole file was read (about 50 MB).
    let (peak, findings) = peak_of_check("---\n".repeat(MB / 4));
    assert_eq!(findings, 0);
    assert!(peak < 4 * MB, "peak {peak} bytes for a 1 MB input");
}

#[test]
fn a_megabyte_of_small_documents_stays_within_thirty_six_times_its_size() {
    // 10,700 ServiceAccounts, each kept for the cross-object rules with one finding
    // (about 3.2 KB each, 34 MB in all, on 2026-12-01): a guard against growth.
    let doc = |i: usize| {
        format!(
            "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa{i}\n  namespace: x\n  bogus{i}: 1\n"
        )
    };
    let mut text = String::new();
    let mut n = 0;
    while text.len() < MB {
        text.push_str(&doc(n));
        text.push_str("---\n");
        n += 1;
    }
    let (peak, findings) = peak_of_check(text);
    assert!(findings >= n, "one unknown field per document: {findings}");
    assert!(peak < 36 * MB, "peak {peak} bytes for a 1 MB input");
}
