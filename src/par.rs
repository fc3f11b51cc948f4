//! Independent pieces of work spread over the machine's cores, with the results handed
//! back in the order of the inputs (so that what runs in parallel reads exactly as if it
//! had run in one thread).

use std::sync::{Mutex, OnceLock};

/// The threads to use for `jobs`: `jobs` itself, or with 0 one per core this process may
/// run on (the standard library reads the CPU affinity and cgroup quota from files, so
/// that is done once per process).
pub fn threads(jobs: usize) -> usize {
    static CORES: OnceLock<usize> = OnceLock::new();
    if jobs > 0 {
        jobs
    } else {
        *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
    }
}

/// `f` of every item, in the items' order, computed by at most `threads` threads (the
/// calling thread one of them), each taking the next item as it finishes one: a few
/// large items do not hold up the rest. With one thread or one item, no thread is
/// started. A panic in `f` is raised again in the caller.
pub fn map<I, R, F>(items: I, threads: usize, f: F) -> Vec<R>
where
    I: IntoIterator,
    I::IntoIter: ExactSizeIterator + Send,
    R: Send,
    F: Fn(I::Item) -> R + Sync,
{
    let items = items.into_iter();
    let threads = threads.min(items.len());
    if threads <= 1 {
        return items.map(f).collect();
    }
    let queue = Mutex::new(items.enumerate());
    let next = || queue.lock().unwrap_or_else(|e| e.into_inner()).next();
    let work = || {
        let mut done = Vec::new();
        while let Some((i, item)) = next() {
            done.push((i, f(item)));
        }
        done
    };
    let mut all = std::thread::scope(|s| {
        let others: Vec<_> = (1..threads).map(|_| s.spawn(work)).collect();
        let mut all = work();
        for other in others {
            all.extend(
                other
                    .join()
                    .unwrap_or_else(|p| std::panic::resume_unwind(p)),
            );
        }
        all
    });
    all.sort_unstable_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_back_in_input_order_whatever_the_threads() {
        let items: Vec<u64> = (0..1_000).collect();
        let square = |n: &u64| {
            // Uneven work, so that threads finish out of order.
            if n.is_multiple_of(7) {
                std::thread::yield_now();
            }
            n * n
        };
        let one = map(&items, 1, square);
        assert_eq!(one, items.iter().map(|n| n * n).collect::<Vec<_>>());
        for threads in [2, 3, 8, 5_000] {
            assert_eq!(map(&items, threads, square), one, "{threads} threads");
        }
    }

    #[test]
    fn owned_items_are_moved_into_the_work_once_each() {
        let items: Vec<String> = (0..100).map(|n| n.to_string()).collect();
        let lens = map(items.clone(), 4, |s: String| s.len());
        assert_eq!(lens, items.iter().map(String::len).collect::<Vec<_>>());
        assert!(map(Vec::<String>::new(), 4, |s| s).is_empty());
    }

    #[test]
    fn a_panic_in_the_work_reaches_the_caller() {
        let hit = std::panic::catch_unwind(|| {
            map(0..64usize, 4, |n| assert!(n != 40, "item forty"));
        });
        assert!(hit.is_err());
    }

    #[test]
    fn zero_jobs_means_every_core_and_any_other_number_is_kept() {
        assert!(threads(0) >= 1);
        assert_eq!(threads(3), 3);
    }
}
