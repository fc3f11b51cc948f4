//! What a cross-object rule may see of the other documents: the documents of the
//! checked object's group (its namespace, plus the cluster-scoped objects namespaced
//! ones refer to by name: ClusterRoles, PriorityClasses),
//! indexed once per run by group, kind and pod label, so that a rule's look-up costs
//! the size of its answer and never a scan of the namespace.
//!
//! A group is a namespace of one cluster. Objects that name their namespace, and
//! Namespace objects, share one cluster; an object without a namespace belongs to the
//! `default` namespace of its *unit* (see [`crate::validate::unit`]), so that unrelated
//! example directories checked together are not compared with each other.

use std::collections::HashMap;

use crate::k8s::selector::Labels;

use super::walk::pod_labels;
use super::{POD_KINDS, pod_spec};
use crate::validate::Document;
use crate::validate::kinds::CLUSTER_SCOPED;

/// Cluster-scoped kinds that namespaced objects refer to by name (a binding's
/// ClusterRole, a pod's PriorityClass): every group's rules see them.
pub const REFERENCED_CLUSTER_KINDS: &[&str] = &["ClusterRole", "PriorityClass"];

/// Kinds whose `spec.selector` (a LabelSelector) picks workloads of their namespace, indexed
/// by one label of the selector so that "which of them select these pods" costs the
/// size of the answer.
pub const SELECTING_KINDS: &[&str] = &["PodDisruptionBudget"];

/// Index of a group in [`Index::groups`].
type GroupId = u32;

/// Documents of a run, indexed for the cross-object rules.
pub struct Index<'a> {
    docs: &'a [Document],
    /// The group of each document; `None` for cluster-scoped objects.
    group_of: Vec<Option<GroupId>>,
    /// Members of each group, in input order.
    members: Vec<Vec<u32>>,
    /// Per group: kind → documents, in input order.
    by_kind: Vec<HashMap<&'a str, Vec<u32>>>,
    /// kind → documents of every group and of none, in input order.
    any_by_kind: HashMap<&'a str, Vec<u32>>,
    /// Pod-carrying documents of each group, in input order.
    workloads: Vec<Vec<u32>>,
    /// Per group: pod label key → value → workloads whose pod template carries it.
    by_label: Vec<HashMap<&'a str, HashMap<&'a str, Vec<u32>>>>,
    /// The pod template labels of each workload (empty for other documents).
    labels: Vec<Labels>,
    /// Documents of [`REFERENCED_CLUSTER_KINDS`], in input order.
    cluster_refs: Vec<u32>,
    /// Per group: kind of [`SELECTING_KINDS`] → their selectors by one pinned label.
    selectors: Vec<HashMap<&'a str, Selectors<'a>>>,
}

/// Documents of one selecting kind, by one `matchLabels` pair of their selector (any
/// one: a selector that matches some labels holds all its pairs among them); those
/// whose selector pins no label are `open`, candidates for every workload.
#[derive(Default)]
struct Selectors<'a> {
    pinned: HashMap<(&'a str, &'a str), Vec<u32>>,
    open: Vec<u32>,
}

/// Whether `doc` is a namespaced object that names no namespace: it belongs to its unit.
pub fn is_local(doc: &Document) -> bool {
    doc.namespace().is_none() && !CLUSTER_SCOPED.contains(&doc.kind())
}

/// The group key of a document: (unit of a namespace-less object, namespace).
fn group_key(
    doc: &Document,
    unit: &dyn Fn(&Document) -> Option<String>,
) -> Option<(Option<String>, String)> {
    match (doc.kind(), doc.namespace()) {
        ("Namespace", _) => Some((None, doc.name().to_string())),
        _ if is_local(doc) => Some((unit(doc), "default".to_string())),
        (_, Some(ns)) => Some((None, ns.to_string())),
        (_, None) => None,
    }
}

impl<'a> Index<'a> {
    /// Index `docs`; `unit` names the unit of a namespace-less object (`None`: one cluster).
    pub fn new(docs: &'a [Document], unit: &dyn Fn(&Document) -> Option<String>) -> Self {
        let mut ids: HashMap<(Option<String>, String), GroupId> = HashMap::new();
        let mut ix = Index {
            docs,
            group_of: Vec::with_capacity(docs.len()),
            members: Vec::new(),
            by_kind: Vec::new(),
            any_by_kind: HashMap::new(),
            workloads: Vec::new(),
            by_label: Vec::new(),
            labels: Vec::with_capacity(docs.len()),
            cluster_refs: Vec::new(),
            selectors: Vec::new(),
        };
        for (i, doc) in docs.iter().enumerate() {
            let i = u32::try_from(i).unwrap_or(u32::MAX);
            let group = group_key(doc, unit).map(|key| {
                let next = GroupId::try_from(ids.len()).unwrap_or(GroupId::MAX);
                *ids.entry(key).or_insert(next)
            });
            ix.group_of.push(group);
            ix.any_by_kind.entry(doc.kind()).or_default().push(i);
            if REFERENCED_CLUSTER_KINDS.contains(&doc.kind()) {
                ix.cluster_refs.push(i);
            }
            let workload = POD_KINDS.contains(&doc.kind());
            ix.labels.push(if workload {
                pod_labels(doc)
            } else {
                Labels::new()
            });
            let Some(g) = group else { continue };
            let g = g as usize;
            if ix.members.len() <= g {
                ix.members.resize_with(g + 1, Vec::new);
                ix.workloads.resize_with(g + 1, Vec::new);
                ix.by_kind.resize_with(g + 1, HashMap::new);
                ix.by_label.resize_with(g + 1, HashMap::new);
                ix.selectors.resize_with(g + 1, HashMap::new);
            }
            ix.members[g].push(i);
            ix.by_kind[g].entry(doc.kind()).or_default().push(i);
            if SELECTING_KINDS.contains(&doc.kind()) {
                let of_kind = ix.selectors[g].entry(doc.kind()).or_default();
                match pinned_label(doc) {
                    Some(pair) => of_kind.pinned.entry(pair).or_default().push(i),
                    None => of_kind.open.push(i),
                }
            }
            if workload {
                ix.workloads[g].push(i);
                for (k, v) in template_labels(doc) {
                    let values = ix.by_label[g].entry(k).or_default();
                    values.entry(v).or_default().push(i);
                }
            }
        }
        ix
    }

    /// The scope of the rules checking `docs[i]`.
    pub fn scope(&self, i: usize) -> Scope<'_> {
        Scope {
            index: self,
            group: self.group_of.get(i).copied().flatten(),
        }
    }

    fn doc(&self, i: u32) -> &'a Document {
        &self.docs[i as usize]
    }
}

/// The pod template labels of a workload, borrowed from the document.
fn template_labels(doc: &Document) -> impl Iterator<Item = (&str, &str)> {
    let labels = pod_spec(doc).and_then(|(prefix, _)| {
        let meta = match prefix.strip_suffix(".spec") {
            Some(t) => super::get(&doc.value, &format!("{t}.metadata")),
            None => doc.value.get("metadata"),
        };
        meta?.get("labels")?.as_mapping()
    });
    labels
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.as_str()?, v.as_str()?)))
}

/// One string `matchLabels` pair of a document's `spec.selector`, if it pins any.
fn pinned_label(doc: &Document) -> Option<(&str, &str)> {
    let labels = doc.value.get("spec")?.get("selector")?.get("matchLabels")?;
    labels
        .as_mapping()?
        .iter()
        .find_map(|(k, v)| Some((k.as_str()?, v.as_str()?)))
}

/// The documents one rule sees while checking one object: its group, or for a
/// cluster-scoped object the whole input.
#[derive(Clone, Copy)]
pub struct Scope<'a> {
    index: &'a Index<'a>,
    group: Option<GroupId>,
}

impl<'a> Scope<'a> {
    fn ids(&self, list: Option<&'a Vec<u32>>) -> impl Iterator<Item = &'a Document> + use<'a> {
        let index = self.index;
        list.into_iter().flatten().map(move |&i| index.doc(i))
    }

    /// Every document in scope, in input order: the group and the referenced cluster
    /// objects, or the
    /// whole input for a cluster-scoped object.
    pub fn iter(&self) -> Box<dyn Iterator<Item = &'a Document> + 'a> {
        let index = self.index;
        match self.group {
            Some(g) => {
                let mut ids: Vec<u32> = index.members[g as usize].clone();
                ids.extend(&index.cluster_refs);
                ids.sort_unstable();
                ids.dedup();
                Box::new(ids.into_iter().map(move |i| index.doc(i)))
            }
            None => Box::new(index.docs.iter()),
        }
    }

    /// Documents of `kind` in scope, in input order.
    pub fn of_kind(&self, kind: &str) -> impl Iterator<Item = &'a Document> + use<'a> {
        let index = self.index;
        let list = match self.group {
            Some(_) if REFERENCED_CLUSTER_KINDS.contains(&kind) => index.any_by_kind.get(kind),
            Some(g) => index.by_kind[g as usize].get(kind),
            None => index.any_by_kind.get(kind),
        };
        self.ids(list)
    }

    /// Documents of `kind` (one of [`SELECTING_KINDS`]) in scope that may select pods
    /// labelled `labels`: every one whose selector does, and others (the caller still
    /// tests the whole selector), in no particular order.
    pub fn selecting<'s>(
        &self,
        kind: &str,
        labels: &'s Labels,
    ) -> Box<dyn Iterator<Item = &'a Document> + 's>
    where
        'a: 's,
    {
        debug_assert!(SELECTING_KINDS.contains(&kind));
        let index = self.index;
        let Some(by_kind) = self
            .group
            .and_then(|g| index.selectors.get(g as usize))
            .and_then(|m| m.get(kind))
        else {
            // A cluster-scoped object has no pods to select.
            return Box::new(std::iter::empty());
        };
        let pinned = labels
            .iter()
            .filter_map(|(k, v)| by_kind.pinned.get(&(k.as_str(), v.as_str())))
            .flatten();
        Box::new(pinned.chain(&by_kind.open).map(move |&i| index.doc(i)))
    }

    /// Pod-carrying documents in scope, in input order.
    pub fn workloads(&self) -> Box<dyn Iterator<Item = &'a Document> + 'a> {
        match self.group {
            Some(g) => Box::new(self.ids(self.index.workloads.get(g as usize))),
            None => Box::new(
                self.index
                    .docs
                    .iter()
                    .filter(|d| POD_KINDS.contains(&d.kind())),
            ),
        }
    }

    /// Workloads in scope with their pod template labels: those whose template
    /// carries the label `pair` when it is given (looked up in the index), else all.
    pub fn labelled(
        &self,
        pair: Option<(&str, &str)>,
    ) -> Box<dyn Iterator<Item = (&'a Document, &'a Labels)> + 'a> {
        let index = self.index;
        let with_labels = move |&i: &u32| (index.doc(i), &index.labels[i as usize]);
        match (self.group, pair) {
            (Some(g), Some((k, v))) => {
                let list = index.by_label[g as usize].get(k).and_then(|m| m.get(v));
                Box::new(list.into_iter().flatten().map(with_labels))
            }
            (Some(g), None) => Box::new(index.workloads[g as usize].iter().map(with_labels)),
            (None, _) => Box::new(
                (0..index.docs.len())
                    .filter(|&i| POD_KINDS.contains(&index.docs[i].kind()))
                    .map(move |i| (&index.docs[i], &index.labels[i])),
            ),
        }
    }
}
