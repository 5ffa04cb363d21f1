//! Counts how often components are drawn, so tests can check that a keystroke or a new
//! message re-renders only what changed. Compiled into tests only; each test's VirtualDom
//! runs on its own thread, so the counts are per thread.

use std::cell::RefCell;
use std::collections::BTreeMap;

thread_local! {
    static DRAWN: RefCell<BTreeMap<&'static str, usize>> = RefCell::default();
}

/// Notes that `component` was drawn once more.
pub fn drawn(component: &'static str) {
    DRAWN.with(|drawn| *drawn.borrow_mut().entry(component).or_default() += 1);
}

/// What was drawn since the last call, by component, and starts counting afresh.
pub fn take() -> BTreeMap<&'static str, usize> {
    DRAWN.with(|drawn| std::mem::take(&mut *drawn.borrow_mut()))
}
