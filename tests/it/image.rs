//! Image references and registry prefixes: what each part of the grammar accepts (and
//! how it splits a reference) and the exact message for each way one is refused. The
//! expected values were checked by hand against the grammar of the distribution project
//! (`[domain[:port]/]path[:tag][@digest]`).

use kubeward::k8s::image::{ImageRef, parse_image, registry_prefix};

const PATH: &str = "is not a repository path component: lowercase letters and digits, separated inside by `.`, `_`, `__` or `-`";
const TAG: &str =
    "is not a tag: up to 128 letters, digits, `_`, `.` or `-`, not starting with `.` or `-`";
const HOST: &str = "is not a registry host (`host[:port]`)";
const NO_SPACE: &str = "an image reference has no spaces or control characters";

fn hex(n: usize, c: &str) -> String {
    c.repeat(n)
}

fn parsed(domain: Option<&str>, path: &str, tag: Option<&str>, digest: Option<&str>) -> ImageRef {
    ImageRef {
        domain: domain.map(String::from),
        path: path.into(),
        tag: tag.map(String::from),
        digest: digest.map(String::from),
    }
}

#[test]
fn references_split_into_domain_path_tag_and_digest() {
    let long_path = "a".repeat(250); // with `r.io/`, exactly the 255 characters allowed
    let tag128 = "a".repeat(128);
    let digits = format!("sha256:{}", hex(64, "7"));
    let letters = format!("sha256:{}", hex(64, "f"));
    let cases: Vec<(String, ImageRef)> = vec![
        ("team/app".into(), parsed(None, "team/app", None, None)),
        ("Team/app".into(), parsed(Some("Team"), "app", None, None)),
        (
            "localhost/app".into(),
            parsed(Some("localhost"), "app", None, None),
        ),
        ("r.io/app".into(), parsed(Some("r.io"), "app", None, None)),
        (
            "host:5000/app".into(),
            parsed(Some("host:5000"), "app", None, None),
        ),
        (
            "[fd00::1]:5000/app".into(),
            parsed(Some("[fd00::1]:5000"), "app", None, None),
        ),
        (
            "[fd00::1]/app".into(),
            parsed(Some("[fd00::1]"), "app", None, None),
        ),
        (
            "a-b.io/app".into(),
            parsed(Some("a-b.io"), "app", None, None),
        ),
        (
            "UPPER.io/app".into(),
            parsed(Some("UPPER.io"), "app", None, None),
        ),
        (
            format!("r.io/{long_path}"),
            parsed(Some("r.io"), &long_path, None, None),
        ),
        (
            format!("app@{digits}"),
            parsed(None, "app", None, Some(&digits)),
        ),
        (
            format!("app:1@{letters}"),
            parsed(None, "app", Some("1"), Some(&letters)),
        ),
        (
            format!("app:{tag128}"),
            parsed(None, "app", Some(&tag128), None),
        ),
        ("app:_x".into(), parsed(None, "app", Some("_x"), None)),
        (
            "app:a.b-c_D9".into(),
            parsed(None, "app", Some("a.b-c_D9"), None),
        ),
        (
            "r.io/a/b/c:1".into(),
            parsed(Some("r.io"), "a/b/c", Some("1"), None),
        ),
        (
            "host:5000/a/b:2".into(),
            parsed(Some("host:5000"), "a/b", Some("2"), None),
        ),
    ];
    for path in ["a1", "1", "a.b", "a_b", "a__b", "a---b", "a-b.c_d__e"] {
        let image = format!("r.io/{path}");
        assert_eq!(
            parse_image(&image),
            Ok(parsed(Some("r.io"), path, None, None))
        );
    }
    for (image, want) in cases {
        assert_eq!(parse_image(&image), Ok(want), "{image}");
    }
}

#[test]
fn each_malformed_part_is_named_in_the_error() {
    let digest = |hex: &str| {
        format!("the digest `sha256:{hex}` must be `sha256:` and 64 lowercase hex digits")
    };
    let cases: Vec<(String, String)> = vec![
        ("".into(), "the image reference is empty".into()),
        ("web image".into(), NO_SPACE.into()),
        ("web\u{7}".into(), NO_SPACE.into()),
        ("team/app\n".into(), NO_SPACE.into()),
        ("/app".into(), format!("`` {PATH}")),
        ("localhost:/app".into(), format!("`localhost:` {HOST}")),
        (
            format!("r.io/{}", "a".repeat(251)),
            "the repository name is longer than 255 characters".into(),
        ),
        (
            format!("app@sha256:{}", hex(63, "a")),
            digest(&hex(63, "a")),
        ),
        (
            format!("app@sha256:{}", hex(65, "a")),
            digest(&hex(65, "a")),
        ),
        (
            format!("app@sha256:{}g", hex(63, "a")),
            digest(&format!("{}g", hex(63, "a"))),
        ),
        (
            format!("app@sha256:{}A", hex(63, "a")),
            digest(&format!("{}A", hex(63, "a"))),
        ),
        (
            format!("app@sha512:{}", hex(64, "a")),
            format!(
                "the digest `sha512:{}` must start with `sha256:`",
                hex(64, "a")
            ),
        ),
        (
            format!("app:{}", "a".repeat(129)),
            format!("`{}` {TAG}", "a".repeat(129)),
        ),
        ("app:.x".into(), format!("`.x` {TAG}")),
        ("app:-x".into(), format!("`-x` {TAG}")),
        ("app:a+b".into(), format!("`a+b` {TAG}")),
        ("app:".into(), format!("`` {TAG}")),
        ("[fd00::1]x/app".into(), format!("`[fd00::1]x` {HOST}")),
        (
            "[fd00::zz]:5000/app".into(),
            format!("`[fd00::zz]:5000` {HOST}"),
        ),
        (
            "[fd00::1:5000/app".into(),
            format!("`[fd00::1:5000` {HOST}"),
        ),
        ("[fd00::1]:/app".into(), format!("`[fd00::1]:` {HOST}")),
        ("[fd00::1]:5a/app".into(), format!("`[fd00::1]:5a` {HOST}")),
        ("r.io:/app".into(), format!("`r.io:` {HOST}")),
        ("r.io:5a/app".into(), format!("`r.io:5a` {HOST}")),
        ("a..b/app".into(), format!("`a..b` {HOST}")),
        ("-a.io/app".into(), format!("`-a.io` {HOST}")),
        ("a-.io/app".into(), format!("`a-.io` {HOST}")),
        ("a_b.io/app".into(), format!("`a_b.io` {HOST}")),
    ];
    for component in [
        "a___b", "a..b", "a._b", "a-.b", ".a", "a.", "a-", "A", "aB", "a+b",
    ] {
        let image = format!("r.io/x/{component}:1");
        assert_eq!(
            parse_image(&image),
            Err(format!("`{component}` {PATH}")),
            "{image}"
        );
    }
    for image in ["r.io/a/", "r.io//a"] {
        assert_eq!(parse_image(image), Err(format!("`` {PATH}")), "{image}");
    }
    for (image, want) in cases {
        assert_eq!(parse_image(&image), Err(want), "{image:?}");
    }
}

#[test]
fn the_repository_prefix_trusts_the_image_and_its_siblings() {
    for (image, want) in [
        (
            "cr.fluentbit.io/fluent/fluent-bit:4.1.1",
            Some("cr.fluentbit.io/fluent/"),
        ),
        ("r.io/a/b/c:1", Some("r.io/a/b/")),
        ("r.io/app", Some("r.io/")),
        ("[fd00::1]:5000/app", Some("[fd00::1]:5000/")),
        ("nginx:1.25", None),
        ("library/nginx", None),
    ] {
        let r = parse_image(image).unwrap();
        assert_eq!(r.repository_prefix().as_deref(), want, "{image}");
    }
}

#[test]
fn registry_prefixes_are_checked_and_end_with_a_slash() {
    for (prefix, want) in [
        ("r.io", "r.io/"),
        ("r.io/", "r.io/"),
        ("r.io/team", "r.io/team/"),
        ("r.io/team/", "r.io/team/"),
        ("localhost", "localhost/"),
        ("localhost:5000", "localhost:5000/"),
        ("[fd00::1]:5000/x", "[fd00::1]:5000/x/"),
    ] {
        assert_eq!(registry_prefix(prefix).as_deref(), Ok(want), "{prefix}");
    }
    let not_prefix = |p: &str| format!("`{p}` is not a registry prefix");
    let no_host = |p: &str| {
        format!(
            "`{p}` does not start with a registry host (a name with a `.` or a port, or `localhost`)"
        )
    };
    for (prefix, want) in [
        ("", not_prefix("")),
        (" r.io", not_prefix(" r.io")),
        ("r.io\t", not_prefix("r.io\t")),
        ("registry example.com", not_prefix("registry example.com")),
        ("nginx", no_host("nginx")),
        ("team/app", no_host("team/app")),
        ("-r.io", format!("`-r.io` {HOST}")),
        ("r.io:", format!("`r.io:` {HOST}")),
        ("r.io/Team", format!("`Team` {PATH}")),
        ("r.io//x", format!("`` {PATH}")),
        ("r.io/team//", format!("`` {PATH}")),
    ] {
        assert_eq!(registry_prefix(prefix), Err(want), "{prefix:?}");
    }
}
