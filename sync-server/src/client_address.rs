//! The address a request comes from, as the per-address limits count it (sign-in links asked
//! for, and redeemed).
//!
//! Behind a load balancer every request arrives from the balancer, so counting the socket's
//! peer would put every person in one bucket: one flood of sign-in requests would lock
//! everyone out. A proxy the relay is told to trust (`--trusted-proxy`) names the real client
//! in `X-Forwarded-For`; anyone else could write anything there, so the header counts only when
//! the peer is such a proxy, and only from the right: each trusted proxy appends the address it
//! saw, so the rightmost entry that is not one of them is the first address no trusted proxy
//! vouches for. What a client wrote further left is never read.

use std::net::IpAddr;
use std::sync::Arc;

use axum::http::HeaderMap;

#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(Arc<[IpAddr]>);

impl TrustedProxies {
    pub fn new(proxies: Vec<IpAddr>) -> Self {
        Self(proxies.into_iter().map(canonical).collect())
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.contains(&canonical(ip))
    }

    /// The client behind `peer`: `peer` itself unless it is a trusted proxy.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let mut client = canonical(peer);
        if !self.trusts(client) {
            return client;
        }
        // Several headers are one list, in order (RFC 9110 5.3).
        let hops: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .collect();
        for hop in hops.iter().rev() {
            // An entry that is not an address ends the walk at the last address vouched for.
            let Some(ip) = address(hop.trim()) else {
                break;
            };
            client = canonical(ip);
            if !self.trusts(client) {
                break;
            }
        }
        client
    }
}

/// A hop as proxies write it: a bare address, or with its port (`a.b.c.d:p`, `[v6]:p`), which
/// some load balancers add.
fn address(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<std::net::SocketAddr>().ok().map(|s| s.ip()))
}

/// What a per-address limit counts: an IPv4 address, or an IPv6 address's /64, since one
/// household or server is given a whole /64 and could otherwise take a new limit per address.
pub fn limit_key(client: IpAddr) -> String {
    match canonical(client) {
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        v4 => v4.to_string(),
    }
}

/// An IPv4 address seen on an IPv6 socket (`::ffff:a.b.c.d`) is that IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append("x-forwarded-for", v.parse().unwrap());
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn without_trusted_proxies_the_header_is_ignored() {
        let none = TrustedProxies::default();
        assert_eq!(
            none.client(ip("10.0.0.5"), &headers(&["203.0.113.9"])),
            ip("10.0.0.5")
        );
    }

    #[test]
    fn a_trusted_proxy_names_the_client_it_saw_and_what_the_client_wrote_is_not_read() {
        let nginx = TrustedProxies::new(vec![ip("127.0.0.1")]);
        // nginx appends the address it saw to whatever the client sent.
        let h = headers(&["1.2.3.4, 198.51.100.7"]);
        assert_eq!(nginx.client(ip("127.0.0.1"), &h), ip("198.51.100.7"));
        // From anyone else, the header is the caller's own claim.
        assert_eq!(nginx.client(ip("192.0.2.1"), &h), ip("192.0.2.1"));
    }

    #[test]
    fn a_chain_of_trusted_proxies_is_walked_from_the_right() {
        let proxies = TrustedProxies::new(vec![ip("127.0.0.1"), ip("10.0.0.2")]);
        let h = headers(&["6.6.6.6", "198.51.100.7, 10.0.0.2"]);
        assert_eq!(proxies.client(ip("127.0.0.1"), &h), ip("198.51.100.7"));
    }

    #[test]
    fn junk_or_nothing_leaves_the_last_address_vouched_for() {
        let proxies = TrustedProxies::new(vec![ip("127.0.0.1"), ip("10.0.0.2")]);
        assert_eq!(
            proxies.client(ip("127.0.0.1"), &headers(&[])),
            ip("127.0.0.1")
        );
        assert_eq!(
            proxies.client(ip("127.0.0.1"), &headers(&["not-an-address, 10.0.0.2"])),
            ip("10.0.0.2")
        );
    }

    #[test]
    fn a_hop_with_its_port_is_its_address_and_an_ipv6_client_counts_by_its_64() {
        let proxies = TrustedProxies::new(vec![ip("127.0.0.1")]);
        assert_eq!(
            proxies.client(ip("127.0.0.1"), &headers(&["198.51.100.7:51234"])),
            ip("198.51.100.7")
        );
        assert_eq!(
            proxies.client(ip("127.0.0.1"), &headers(&["[2001:db8::1]:443"])),
            ip("2001:db8::1")
        );
        assert_eq!(
            limit_key(ip("2001:db8:1:2:aaaa::1")),
            limit_key(ip("2001:db8:1:2:bbbb::9"))
        );
        assert_ne!(
            limit_key(ip("2001:db8:1:2::1")),
            limit_key(ip("2001:db8:1:3::1"))
        );
        assert_eq!(limit_key(ip("::ffff:198.51.100.7")), "198.51.100.7");
    }

    #[test]
    fn ipv4_on_an_ipv6_socket_is_the_ipv4_address() {
        let nginx = TrustedProxies::new(vec![ip("127.0.0.1")]);
        let h = headers(&["::ffff:198.51.100.7"]);
        assert_eq!(nginx.client(ip("::ffff:127.0.0.1"), &h), ip("198.51.100.7"));
    }
}
