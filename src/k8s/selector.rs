//! Labels, and label selectors parsed once: `matchLabels` and `matchExpressions`
//! (`In`, `NotIn`, `Exists`, `DoesNotExist`). A selector the API server would refuse
//! selects nothing.

use std::collections::BTreeMap;

use serde_yaml::Value;

/// Labels of a pod or namespace.
pub type Labels = BTreeMap<String, String>;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Op {
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Expr {
    key: String,
    op: Op,
    values: Vec<String>,
}

/// A parsed `LabelSelector`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Selector {
    labels: Vec<(String, String)>,
    exprs: Vec<Expr>,
    valid: bool,
}

fn strings(v: Option<&Value>) -> Option<Vec<String>> {
    match v {
        None | Some(Value::Null) => Some(Vec::new()),
        Some(Value::Sequence(s)) => s.iter().map(|x| x.as_str().map(str::to_string)).collect(),
        _ => None,
    }
}

fn expr(v: &Value) -> Option<Expr> {
    let key = v.get("key")?.as_str()?.to_string();
    let values = strings(v.get("values"))?;
    let op = match v.get("operator")?.as_str()? {
        "In" if !values.is_empty() => Op::In,
        "NotIn" if !values.is_empty() => Op::NotIn,
        "Exists" if values.is_empty() => Op::Exists,
        "DoesNotExist" if values.is_empty() => Op::DoesNotExist,
        _ => return None,
    };
    Some(Expr { key, op, values })
}

impl Selector {
    /// The selector `{}`: everything.
    pub fn everything() -> Selector {
        Selector {
            labels: Vec::new(),
            exprs: Vec::new(),
            valid: true,
        }
    }

    /// The selector `matchLabels: pairs`.
    pub fn of_labels(pairs: &[(&str, &str)]) -> Selector {
        Selector {
            labels: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..Selector::everything()
        }
    }

    /// Parse a `LabelSelector` value; `null` is `{}`.
    pub fn parse(v: &Value) -> Selector {
        let invalid = Selector {
            valid: false,
            ..Selector::everything()
        };
        if v.is_null() {
            return Selector::everything();
        }
        let Some(map) = v.as_mapping() else {
            return invalid;
        };
        let mut labels = Vec::new();
        match map.get("matchLabels") {
            None | Some(Value::Null) => {}
            Some(Value::Mapping(m)) => {
                for (k, v) in m {
                    match (k.as_str(), v.as_str()) {
                        (Some(k), Some(v)) => labels.push((k.to_string(), v.to_string())),
                        _ => return invalid,
                    }
                }
            }
            Some(_) => return invalid,
        }
        let exprs = match map.get("matchExpressions") {
            None | Some(Value::Null) => Some(Vec::new()),
            Some(Value::Sequence(s)) => s.iter().map(expr).collect(),
            Some(_) => None,
        };
        let Some(exprs) = exprs else {
            return invalid;
        };
        Selector {
            labels,
            exprs,
            valid: true,
        }
    }

    /// Whether it has no terms (and so selects everything).
    pub fn is_empty(&self) -> bool {
        self.valid && self.labels.is_empty() && self.exprs.is_empty()
    }

    pub fn is_valid(&self) -> bool {
        self.valid
    }

    pub fn matches(&self, labels: &Labels) -> bool {
        self.valid
            && self
                .labels
                .iter()
                .all(|(k, v)| labels.get(k).is_some_and(|x| x == v))
            && self.exprs.iter().all(|e| {
                let have = labels.get(&e.key);
                match e.op {
                    Op::In => have.is_some_and(|h| e.values.contains(h)),
                    Op::NotIn => !have.is_some_and(|h| e.values.contains(h)),
                    Op::Exists => have.is_some(),
                    Op::DoesNotExist => have.is_none(),
                }
            })
    }

    /// The `matchLabels` pairs, for index look-ups.
    pub fn match_labels(&self) -> &[(String, String)] {
        &self.labels
    }

    /// The label keys the selector requires to be present (`matchLabels`, `In`, `Exists`).
    pub fn required_keys(&self) -> Vec<&str> {
        let exprs = self
            .exprs
            .iter()
            .filter(|e| matches!(e.op, Op::In | Op::Exists))
            .map(|e| e.key.as_str());
        self.labels
            .iter()
            .map(|(k, _)| k.as_str())
            .chain(exprs)
            .collect()
    }

    /// The values the selector allows for `key`, when it pins them (`matchLabels` or `In`).
    pub fn pinned(&self, key: &str) -> Option<Vec<&str>> {
        if let Some((_, v)) = self.labels.iter().find(|(k, _)| k == key) {
            return Some(vec![v.as_str()]);
        }
        self.exprs
            .iter()
            .find(|e| e.key == key && e.op == Op::In)
            .map(|e| e.values.iter().map(String::as_str).collect())
    }

    /// The selector without its terms on the keys `drop` names.
    pub fn without_keys(&self, drop: impl Fn(&str) -> bool) -> Selector {
        Selector {
            labels: self
                .labels
                .iter()
                .filter(|(k, _)| !drop(k))
                .cloned()
                .collect(),
            exprs: self
                .exprs
                .iter()
                .filter(|e| !drop(&e.key))
                .cloned()
                .collect(),
            valid: self.valid,
        }
    }

    /// Whether some key of a term is one `key` names.
    pub fn mentions(&self, key: impl Fn(&str) -> bool) -> bool {
        self.labels.iter().any(|(k, _)| key(k)) || self.exprs.iter().any(|e| key(&e.key))
    }

    /// Whether the selector may select a pod with `labels` plus the keys `added` names,
    /// whose values are not known: a term on such a key holds unless it is
    /// `DoesNotExist`.
    pub fn may_match(&self, labels: &Labels, added: impl Fn(&str) -> bool) -> bool {
        let known = self.without_keys(&added);
        known.matches(labels)
            && self
                .exprs
                .iter()
                .all(|e| !added(&e.key) || e.op != Op::DoesNotExist)
    }

    /// Labels that this selector selects, when there are any: the stand-in of a pod or
    /// namespace the selector was written for.
    pub fn satisfying(&self) -> Option<Labels> {
        let mut l: Labels = self.labels.iter().cloned().collect();
        for e in &self.exprs {
            match e.op {
                Op::In => {
                    l.entry(e.key.clone())
                        .or_insert_with(|| e.values[0].clone());
                }
                Op::Exists => {
                    l.entry(e.key.clone()).or_default();
                }
                Op::NotIn | Op::DoesNotExist => {}
            }
        }
        self.matches(&l).then_some(l)
    }
}

/// Labels as `k=v,k2=v2`.
pub fn show_labels(labels: &Labels) -> String {
    labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sel(s: &str) -> Selector {
        Selector::parse(&serde_yaml::from_str(s).unwrap())
    }

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn match_labels_and_expressions() {
        let s = sel(
            "matchLabels: {app: web}\nmatchExpressions:\n  - {key: tier, operator: NotIn, values: [db]}\n  - {key: track, operator: DoesNotExist}\n  - {key: env, operator: In, values: [prod, stage]}\n",
        );
        assert!(s.matches(&labels(&[("app", "web"), ("env", "prod")])));
        assert!(!s.matches(&labels(&[("app", "web"), ("env", "dev")])));
        assert!(!s.matches(&labels(&[("app", "web"), ("env", "prod"), ("tier", "db")])));
        assert!(!s.matches(&labels(&[("app", "web"), ("env", "prod"), ("track", "x")])));
        assert_eq!(
            s.satisfying(),
            Some(labels(&[("app", "web"), ("env", "prod")]))
        );
        assert_eq!(s.pinned("env"), Some(vec!["prod", "stage"]));
        assert!(sel("{}").is_empty() && sel("{}").matches(&Labels::new()));
    }

    #[test]
    fn unknown_added_labels_may_match_unless_required_absent() {
        let hash = |k: &str| k == "pod-template-hash";
        let web = labels(&[("app", "web")]);
        let s = sel("matchLabels: {app: web, pod-template-hash: 5d4f8c7b9}");
        assert!(!s.matches(&web) && s.may_match(&web, hash));
        assert!(!s.may_match(&labels(&[("app", "api")]), hash));
        assert!(!s.may_match(&web, |_| false));
        let absent = sel("matchExpressions: [{key: pod-template-hash, operator: DoesNotExist}]");
        assert!(absent.matches(&web) && !absent.may_match(&web, hash));
        let any = sel("matchExpressions: [{key: pod-template-hash, operator: NotIn, values: [x]}]");
        assert!(any.may_match(&web, hash) && s.mentions(hash) && !sel("{}").mentions(hash));
        assert!(s.without_keys(hash).matches(&web));
    }

    #[test]
    fn invalid_selectors_select_nothing() {
        for bad in [
            "matchExpressions: [{key: a, operator: Maybe}]",
            "matchExpressions: [{key: a, operator: In, values: []}]",
            "matchExpressions: [{key: a, operator: Exists, values: [x]}]",
            "matchLabels: {a: [1]}",
            "matchLabels: [a]",
            "[a]",
        ] {
            let s = sel(bad);
            assert!(!s.matches(&Labels::new()) && !s.is_empty(), "{bad}");
        }
        let contradiction =
            sel("matchLabels: {a: x}\nmatchExpressions: [{key: a, operator: NotIn, values: [x]}]");
        assert_eq!(contradiction.satisfying(), None);
    }
}
