//! A PodList read as a stream: each item is parsed, handed over and dropped before
//! the next is read, so memory stays at one pod (and a read buffer) whatever the
//! list's size.
//!
//! The apiserver serves `resourceVersion=0` lists from its watch cache and ignores
//! `limit` there, so a list cannot be paged down to a known size; and a field
//! selector that matched more than expected (or a server that ignored it) must not
//! make the plugin grow. Only the fields the judgement needs are kept.

use std::fmt;
use std::io::{BufReader, Read};

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

/// The parts of a Pod that `pods` judges.
#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct Pod {
    #[serde(default)]
    pub metadata: Meta,
    #[serde(default)]
    pub status: PodStatus,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct Meta {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub namespace: String,
    pub creation_timestamp: Option<String>,
    pub deletion_timestamp: Option<String>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct PodStatus {
    #[serde(default)]
    pub phase: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub conditions: Vec<PodCondition>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub container_statuses: Vec<ContainerStatus>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub init_container_statuses: Vec<ContainerStatus>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct PodCondition {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub status: String,
    pub last_transition_time: Option<String>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct ContainerStatus {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub restart_count: u64,
    #[serde(default)]
    pub state: ContainerState,
}

#[derive(Deserialize, Debug, Default)]
pub struct ContainerState {
    pub waiting: Option<Waiting>,
}

#[derive(Deserialize, Debug, Default)]
pub struct Waiting {
    #[serde(default)]
    pub reason: String,
}

fn null_as_empty<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: de::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

/// Reads a PodList from `body`, calling `each` for every pod in order. Returns how
/// many pods there were. A body that is not a PodList, is cut short or has trailing
/// garbage is an error.
pub fn read_pods(body: impl Read, each: impl FnMut(Pod)) -> Result<u64, serde_json::Error> {
    let reader = BufReader::with_capacity(64 << 10, body);
    let mut de = serde_json::Deserializer::from_reader(reader);
    let mut list = ListSeed { each, count: 0 };
    (&mut list).deserialize(&mut de)?;
    de.end()?;
    Ok(list.count)
}

struct ListSeed<F> {
    each: F,
    count: u64,
}

impl<'de, F: FnMut(Pod)> DeserializeSeed<'de> for &mut ListSeed<F> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, F: FnMut(Pod)> Visitor<'de> for &mut ListSeed<F> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a PodList object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen_items = false;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "items" => {
                    map.next_value_seed(Items(&mut *self))?;
                    seen_items = true;
                }
                "kind" => {
                    let kind: String = map.next_value()?;
                    if kind != "PodList" {
                        return Err(de::Error::custom(format!("a {kind}, not a PodList")));
                    }
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if !seen_items {
            return Err(de::Error::custom("a list without items"));
        }
        Ok(())
    }
}

struct Items<'a, F>(&'a mut ListSeed<F>);

impl<'de, F: FnMut(Pod)> DeserializeSeed<'de> for Items<'_, F> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de, F: FnMut(Pod)> Visitor<'de> for Items<'_, F> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of pods")
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(pod) = seq.next_element::<Pod>()? {
            self.0.count += 1;
            (self.0.each)(pod);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(json: &str) -> Result<Vec<String>, String> {
        let mut out = Vec::new();
        read_pods(json.as_bytes(), |p| out.push(p.metadata.name)).map_err(|e| e.to_string())?;
        Ok(out)
    }

    #[test]
    fn items_stream_in_order_whatever_comes_around_them() {
        let json = r#"{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"9"},
            "items":[{"metadata":{"name":"a","labels":{"x":"y"}},"spec":{"containers":[]}},
                     {"metadata":{"name":"b"},"status":{"phase":"Running","conditions":null}}]}"#;
        assert_eq!(names(json).unwrap(), ["a", "b"]);
        assert_eq!(
            names(r#"{"kind":"PodList","items":null}"#).unwrap(),
            Vec::<String>::new()
        );
    }

    #[test]
    fn what_is_not_a_whole_pod_list_is_an_error() {
        assert!(names(r#"{"kind":"Status","status":"Failure"}"#)
            .unwrap_err()
            .contains("not a PodList"));
        assert!(names(r#"{"kind":"PodList"}"#)
            .unwrap_err()
            .contains("without items"));
        assert!(names(r#"{"kind":"PodList","items":[{"metadata":{"name":"a"}}"#).is_err());
        assert!(names(r#"{"kind":"PodList","items":[]} x"#).is_err());
        assert!(names("[]").is_err());
    }
}
