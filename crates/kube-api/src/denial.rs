//! A 403 as the apiserver words it: who was refused what, and why. Its Status
//! message reads `<what> is forbidden: User "<name>" cannot <verb> resource "<r>" in
//! API group "<g>" <scope>`, or `cannot <verb> path "<p>"`, then `: <reason>` when an
//! authorizer gave one (the Node authorizer for a node's credentials, RBAC for a role
//! it cannot find). Pure: text in, facts out.

/// Who was refused what, and why, as a 403 Status message says it.
#[derive(Debug, PartialEq)]
pub struct Denial {
    pub user: String,
    /// "list pods", "get deployments.apps in default", "get /readyz".
    pub action: String,
    pub reason: Option<String>,
}

impl Denial {
    pub fn parse(message: &str) -> Option<Denial> {
        let said = message
            .split_once(" is forbidden: ")
            .map_or(message, |(_, s)| s)
            .trim_start_matches("forbidden: ");
        let rest = said.strip_prefix("User \"")?;
        let (user, rest) = rest.split_once('"')?;
        let rest = rest.strip_prefix(" cannot ")?;
        let (action, reason) = match rest.split_once(": ") {
            Some((a, r)) if !r.trim().is_empty() => (a, Some(r.trim().to_string())),
            Some((a, _)) => (a, None),
            None => (rest, None),
        };
        Some(Denial {
            user: user.to_string(),
            action: condense(action),
            reason,
        })
    }
}

/// `list resource "pods" in API group "" at the cluster scope` -> `list pods`;
/// `get resource "deployments" in API group "apps" in the namespace "db"` ->
/// `get deployments.apps in db`; `get path "/readyz"` -> `get /readyz`.
fn condense(action: &str) -> String {
    let (verb, rest) = action.split_once(' ').unwrap_or((action, ""));
    let quoted = |text: &str, after: &str| -> Option<String> {
        let (_, tail) = text.split_once(after)?;
        tail.split('"').next().map(str::to_string)
    };
    let object = match (quoted(rest, "resource \""), quoted(rest, "path \"")) {
        (Some(resource), _) => match quoted(rest, "API group \"").filter(|g| !g.is_empty()) {
            Some(group) => format!("{resource}.{group}"),
            None => resource,
        },
        (None, Some(path)) => path,
        (None, None) => return words(action),
    };
    match quoted(rest, "in the namespace \"") {
        Some(ns) => format!("{verb} {object} in {ns}"),
        None => format!("{verb} {object}"),
    }
}

/// The apiserver's text on one line: printable ASCII, no '%', lines joined.
pub fn words(text: &str) -> String {
    let joined = text.lines().map(str::trim).collect::<Vec<_>>().join("; ");
    joined
        .chars()
        .filter(|c| (c.is_ascii_graphic() || *c == ' ') && *c != '%')
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_forbidden_status_is_read_as_the_apiserver_wrote_it() {
        let node = "pods is forbidden: User \"system:node:a\" cannot list resource \"pods\" \
                    in API group \"\" at the cluster scope: node 'a' cannot read pods of node 'b'";
        assert_eq!(
            Denial::parse(node),
            Some(Denial {
                user: "system:node:a".into(),
                action: "list pods".into(),
                reason: Some("node 'a' cannot read pods of node 'b'".into()),
            })
        );
        let sa = "deployments.apps \"nova\" is forbidden: User \"system:serviceaccount:npd:npd\" \
                  cannot get resource \"deployments\" in API group \"apps\" in the namespace \"db\"";
        let d = Denial::parse(sa).unwrap();
        assert_eq!(
            (d.user.as_str(), d.action.as_str(), d.reason),
            (
                "system:serviceaccount:npd:npd",
                "get deployments.apps in db",
                None
            )
        );
        let path = "forbidden: User \"system:anonymous\" cannot get path \"/readyz\"";
        assert_eq!(Denial::parse(path).unwrap().action, "get /readyz");
        assert_eq!(Denial::parse("forbidden"), None);
        assert_eq!(words("a\n b 100%\u{e9}"), "a; b 100");
    }
}
