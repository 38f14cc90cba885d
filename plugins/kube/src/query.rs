//! The requests the checks send, as API paths with their queries: the names in them
//! checked, the values percent-encoded. Shared by every check, so that none of them
//! borrows from another.

use crate::config::PodsCheck;
use crate::target::Target;

/// Percent-encodes a query value (everything but RFC 3986's unreserved characters).
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("{}{b:02X}", '%'));
        }
    }
    out
}

/// The LIST `pods` sends: this node's pods, from the watch cache.
pub fn pods(c: &PodsCheck, node: &str) -> String {
    let mut query = format!(
        "{}?fieldSelector={}&resourceVersion=0",
        c.path,
        encode(&format!("spec.nodeName={node}"))
    );
    if let Some(sel) = &c.selector {
        query.push_str(&format!("&labelSelector={}", encode(sel)));
    }
    query
}

/// The one Deployment `deployment` GETs.
pub fn deployment(t: &Target) -> String {
    format!(
        "/apis/apps/v1/namespaces/{}/deployments/{}",
        t.namespace, t.name
    )
}

/// The EndpointSlices of one Service, from the watch cache.
pub fn endpoint_slices(t: &Target) -> String {
    format!(
        "/apis/discovery.k8s.io/v1/namespaces/{}/endpointslices?labelSelector={}&resourceVersion=0",
        t.namespace,
        encode(&format!("kubernetes.io/service-name={}", t.name))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_encoded() {
        assert_eq!(encode("spec.nodeName=n-1"), "spec.nodeName%3Dn-1");
        assert_eq!(encode("app in (a,b)"), "app%20in%20%28a%2Cb%29");
    }
}
