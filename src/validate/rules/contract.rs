//! What a rule is: its metadata and checks ([`Rule`]), what it sees ([`Context`] for one
//! document, [`Whole`] for a unit's whole input), what it finds ([`Hit`]), and the
//! `rule!` macro that declares one.

use std::sync::OnceLock;

use crate::diag::Severity;
use crate::validate::netpol::{Evaluation, Policy, lint};
use crate::validate::{Document, Options};

use super::scope::Scope;

/// A hardening rule. Ids are hand-written, stable and kebab-case: users' exemptions name them.
pub trait Rule: Sync {
    fn id(&self) -> &'static str;
    fn title(&self) -> &'static str;
    fn severity(&self) -> Severity;
    /// Kinds the rule looks at.
    fn kinds(&self) -> &'static [&'static str];
    fn rationale(&self) -> &'static str;
    fn fix(&self) -> &'static str;
    /// PSS control, checkov id, CIS item…
    fn references(&self) -> &'static [&'static str];
    /// Problems of `doc`, seen with the run's options and the documents of its scope
    /// (its namespace).
    fn check(&self, doc: &Document, cx: &Context) -> Vec<Hit>;
    /// Problems only the whole input shows at once (a unit's documents, evaluated
    /// together), each with the index of its document in `input.docs`. Run once per
    /// unit, before the per-document checks.
    fn check_whole(&self, _input: &Whole) -> Vec<(usize, Hit)> {
        Vec::new()
    }
}

/// What a rule sees while it checks one document.
pub struct Context<'a> {
    /// The documents of the document's scope, indexed.
    pub scope: &'a Scope<'a>,
    /// The run's options (`--registry`, `--skip`…).
    pub opts: &'a Options,
}

/// What a whole-input rule sees: the documents of one unit, and what is read from all
/// of them at once, built the first time a rule asks and shared by the others.
pub struct Whole<'a> {
    pub docs: &'a [Document],
    evaluation: OnceLock<Evaluation>,
    policies: OnceLock<Vec<Policy>>,
}

impl<'a> Whole<'a> {
    pub fn new(docs: &'a [Document]) -> Self {
        Whole {
            docs,
            evaluation: OnceLock::new(),
            policies: OnceLock::new(),
        }
    }

    /// The NetworkPolicy evaluation of the documents (with `check`'s additions).
    pub fn evaluation(&self) -> &Evaluation {
        self.evaluation.get_or_init(|| lint::evaluation(self.docs))
    }

    /// The NetworkPolicies of the documents: the evaluation's, when it was built.
    pub fn policies(&self) -> &[Policy] {
        match self.evaluation.get() {
            Some(e) => &e.policies,
            None => self.policies.get_or_init(|| lint::policies(self.docs)),
        }
    }
}

/// One problem a rule found: where (a path in the document) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub path: String,
    pub message: String,
}

impl Hit {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Hit {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// Define a rule as a unit struct with its metadata and its check: `check:` a function
/// of the document and its scope, `check_in_context:` one of the document and the whole
/// [`Context`], or `whole:` one of the [`Whole`] input.
macro_rules! rule {
    ($(#[$meta:meta])* $name:ident {
        id: $id:literal, title: $title:literal, severity: $sev:ident, kinds: $kinds:expr,
        rationale: $rationale:literal, fix: $fix:literal, refs: [$($r:literal),* $(,)?],
        $how:ident: $check:expr $(,)?
    }) => {
        $(#[$meta])*
        pub struct $name;
        impl $crate::validate::rules::Rule for $name {
            fn id(&self) -> &'static str { $id }
            fn title(&self) -> &'static str { $title }
            fn severity(&self) -> $crate::diag::Severity { $crate::diag::Severity::$sev }
            fn kinds(&self) -> &'static [&'static str] { $kinds }
            fn rationale(&self) -> &'static str { $rationale }
            fn fix(&self) -> &'static str { $fix }
            fn references(&self) -> &'static [&'static str] { &[$($r),*] }
            $crate::validate::rules::rule!(@ $how $check);
        }
    };
    (@ check $check:expr) => {
        fn check(&self, doc: &$crate::validate::Document, cx: &$crate::validate::rules::Context) -> Vec<$crate::validate::rules::Hit> {
            let f: fn(&$crate::validate::Document, &$crate::validate::rules::Scope) -> Vec<$crate::validate::rules::Hit> = $check;
            f(doc, cx.scope)
        }
    };
    (@ check_in_context $check:expr) => {
        fn check(&self, doc: &$crate::validate::Document, cx: &$crate::validate::rules::Context) -> Vec<$crate::validate::rules::Hit> {
            let f: fn(&$crate::validate::Document, &$crate::validate::rules::Context) -> Vec<$crate::validate::rules::Hit> = $check;
            f(doc, cx)
        }
    };
    (@ whole $check:expr) => {
        fn check(&self, _: &$crate::validate::Document, _: &$crate::validate::rules::Context) -> Vec<$crate::validate::rules::Hit> {
            Vec::new()
        }
        fn check_whole(&self, input: &$crate::validate::rules::Whole) -> Vec<(usize, $crate::validate::rules::Hit)> {
            let f: fn(&$crate::validate::rules::Whole) -> Vec<(usize, $crate::validate::rules::Hit)> = $check;
            f(input)
        }
    };
}
pub(crate) use rule;
