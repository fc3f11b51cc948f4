//! Reading a YAML document as Kubernetes does (kubectl and the API server read YAML 1.1):
//! plain `yes`/`on`/`no`/`off`/`y`/`n` are booleans and `0755` is octal, merge keys
//! (`<<: *base`) merge; and a `List` (or a typed list such as `PodList`, as
//! `kubectl get -o yaml` writes them) stands for its items.

use serde_yaml::Value;

use crate::yaml::{PosIndex, Resolved, Seg};

/// Apply the YAML 1.1 readings the position index found, then the merge keys.
pub fn as_kubernetes(value: &mut Value, pos: &PosIndex) -> Result<(), String> {
    for (path, resolved) in &pos.yaml11 {
        if let Some(slot) = at_mut(value, path)
            && slot.is_string()
        {
            *slot = match resolved {
                Resolved::Bool(b) => Value::Bool(*b),
                Resolved::Int(n) => Value::Number((*n).into()),
            };
        }
    }
    value
        .apply_merge()
        .map_err(|e| format!("merge key `<<`: {e}"))
}

fn at_mut<'a>(mut value: &'a mut Value, path: &[Seg]) -> Option<&'a mut Value> {
    for seg in path {
        value = match seg {
            Seg::Key(k) => value.get_mut(k.as_str())?,
            Seg::Index(i) => value.get_mut(*i)?,
        };
    }
    Some(value)
}

/// The items of a list document with their position indexes, or `None` when `value`
/// is no list. Items of a typed list (`RoleBindingList`) that do not say their kind and
/// apiVersion get the list's.
pub fn list_items(value: &mut Value, pos: &PosIndex) -> Option<Vec<(Value, PosIndex)>> {
    let api = value.get("apiVersion")?.as_str()?.to_string();
    let kind = value.get("kind")?.as_str()?.to_string();
    let item_kind = match kind.as_str() {
        "List" => None,
        k => Some(
            k.strip_suffix("List")
                .filter(|k| !k.is_empty() && super::kinds::is_known(&api, k))?,
        ),
    };
    let items = std::mem::take(value.get_mut("items")?.as_sequence_mut()?);
    let mut out = Vec::with_capacity(items.len());
    for (i, mut item) in items.into_iter().enumerate() {
        let index = pos
            .subtree(&[Seg::Key("items".into()), Seg::Index(i)])
            .unwrap_or_else(|| pos.clone());
        if let (Some(k), Value::Mapping(m)) = (item_kind, &mut item) {
            if !m.contains_key("kind") {
                m.insert("kind".into(), k.into());
            }
            if !m.contains_key("apiVersion") {
                m.insert("apiVersion".into(), api.as_str().into());
            }
        }
        out.push((item, index));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Pos;
    use crate::yaml::index_documents;

    fn read(text: &str) -> Value {
        let pos = index_documents(text).unwrap().remove(0);
        let mut v: Value = serde_yaml::from_str(text).unwrap();
        as_kubernetes(&mut v, &pos).unwrap();
        v
    }

    #[test]
    fn yaml_1_1_booleans_and_octals_are_read_as_kubernetes_does() {
        let v = read(
            "a: yes\nb: off\nc: 0755\nd: \"yes\"\ne: '0755'\nf: [on, N]\ng: 0\nh: 08\ni: -010\nyes: 1\n",
        );
        assert_eq!(v["a"], Value::Bool(true));
        assert_eq!(v["b"], Value::Bool(false));
        assert_eq!(v["c"], Value::Number(493.into()));
        assert_eq!(v["d"], Value::from("yes"), "quoted stays a string");
        assert_eq!(v["e"], Value::from("0755"));
        assert_eq!(v["f"][0], Value::Bool(true));
        assert_eq!(v["f"][1], Value::Bool(false));
        assert_eq!(v["g"], Value::Number(0.into()), "plain zero");
        assert_eq!(v["h"], Value::from("08"), "not octal");
        assert_eq!(v["i"], Value::Number((-8).into()));
        assert_eq!(v["yes"], Value::Number(1.into()), "keys stay as written");
    }

    #[test]
    fn merge_keys_merge_and_local_keys_win() {
        let v = read("base: &b {x: 1, y: 2}\nobj:\n  <<: *b\n  y: 3\n");
        assert_eq!(v["obj"]["x"], Value::Number(1.into()));
        assert_eq!(v["obj"]["y"], Value::Number(3.into()));
        assert!(v["obj"].get("<<").is_none());
        let pos = index_documents("a:\n  <<: 1\n").unwrap().remove(0);
        let mut bad: Value = serde_yaml::from_str("a:\n  <<: 1\n").unwrap();
        let e = as_kubernetes(&mut bad, &pos).unwrap_err();
        assert!(e.starts_with("merge key `<<`"), "{e}");
    }

    #[test]
    fn lists_stand_for_their_items_with_positions() {
        let text = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: a}\n- kind: Service\n  metadata: {name: b}\n";
        let pos = index_documents(text).unwrap().remove(0);
        let mut v: Value = serde_yaml::from_str(text).unwrap();
        let items = list_items(&mut v, &pos).unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[1].0["kind"], Value::from("Service"));
        assert!(
            items[1].0.get("apiVersion").is_none(),
            "a List fills nothing in"
        );
        assert_eq!(items[1].1.start, Pos::new(7, 3));
        assert_eq!(items[1].1.nearest("metadata.name"), Pos::new(8, 20));
    }

    #[test]
    fn typed_lists_give_their_items_kind_and_api_version() {
        let text = "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBindingList\nitems:\n- metadata: {name: a}\n";
        let pos = index_documents(text).unwrap().remove(0);
        let mut v: Value = serde_yaml::from_str(text).unwrap();
        let items = list_items(&mut v, &pos).unwrap();
        assert_eq!(items[0].0["kind"], Value::from("RoleBinding"));
        assert_eq!(
            items[0].0["apiVersion"],
            Value::from("rbac.authorization.k8s.io/v1")
        );
        let mut not_list: Value =
            serde_yaml::from_str("apiVersion: example.com/v1\nkind: AccessList\nitems: []\n")
                .unwrap();
        assert!(
            list_items(&mut not_list, &pos).is_none(),
            "a CR ending in List"
        );
    }
}
