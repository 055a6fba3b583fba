use super::*;

fn squat(name: &str) -> Option<(String, Confusion)> {
    check(name).map(|t| (t.target, t.confusion))
}

#[test]
fn the_builtin_list_has_ten_thousand_names_most_popular_first() {
    assert_eq!(builtin().len(), 10_000);
    assert!(builtin().contains("lodash"));
    assert!(builtin().contains("@types/node"));
}

#[test]
fn popular_names_are_never_typosquats() {
    for name in [
        "lodash",
        "electron",
        "react-router-dom",
        "debug",
        "ms",
        "@types/node",
        "react-dom",
        "node-fetch",
    ] {
        assert_eq!(check(name), None, "{name}");
    }
}

#[test]
fn real_typosquats_from_the_malware_set() {
    assert_eq!(
        squat("lodashs"),
        Some(("lodash".into(), Confusion::Insertion))
    );
    assert_eq!(
        squat("electorn"),
        Some(("electron".into(), Confusion::Transposition))
    );
    assert_eq!(
        squat("@zettle-bo/react-router-dom"),
        Some(("react-router-dom".into(), Confusion::Rescoped))
    );
}

#[test]
fn each_kind_of_confusion() {
    assert_eq!(
        squat("expres"),
        Some(("express".into(), Confusion::Deletion))
    );
    assert_eq!(
        squat("lodasj"),
        Some(("lodash".into(), Confusion::KeyboardSubstitution))
    );
    assert_eq!(
        squat("react_dom"),
        Some(("react-dom".into(), Confusion::Separator))
    );
    assert_eq!(
        squat("reactdom"),
        Some(("react-dom".into(), Confusion::Separator))
    );
    assert_eq!(
        squat("types-node"),
        Some(("@types/node".into(), Confusion::TypesScope))
    );
    assert_eq!(
        squat("lodash-js"),
        Some(("lodash".into(), Confusion::Affix))
    );
    assert_eq!(
        squat("node-lodash"),
        Some(("lodash".into(), Confusion::Affix))
    );
    assert_eq!(squat("Lodash"), Some(("lodash".into(), Confusion::Case)));
    assert_eq!(
        squat("react-router-dmo"),
        Some(("react-router-dom".into(), Confusion::Transposition))
    );
    assert_eq!(
        squat("eslint-plugin-reacct-hooks").map(|s| s.1),
        Some(Confusion::Insertion)
    );
    assert_eq!(
        squat("@bable/core"),
        Some(("@babel/core".into(), Confusion::Transposition))
    );
    assert_eq!(
        squat("typescrpit-eslint").map(|s| s.0),
        Some("typescript-eslint".into())
    );
}

#[test]
fn short_and_unrelated_names_are_left_alone() {
    assert_eq!(check("abc"), None);
    assert_eq!(check("my-company-internal-tool"), None);
    assert_eq!(check("@types/some-package-nobody-uses"), None);
    // Version numbers are not typos, siblings in one scope are not look-alikes.
    assert_eq!(check("uuidv9"), None);
    assert_eq!(check("store"), None);
    assert_eq!(check("@nx/nestx"), None);
    // Old unscoped names of now-scoped packages are not flagged.
    assert_eq!(check("koa-router"), None);
    assert_eq!(check(""), None);
    assert_eq!(check(&"x".repeat(300)), None);
}

#[test]
fn osa_distance_counts_transpositions_as_one() {
    assert_eq!(osa_distance("electron", "electorn", 2), Some(1));
    assert_eq!(osa_distance("lodash", "lodashs", 1), Some(1));
    assert_eq!(osa_distance("abc", "xyz", 2), None);
    assert_eq!(osa_distance("", "ab", 2), Some(2));
}

#[test]
fn ten_thousand_checks_are_fast() {
    let names: Vec<String> = BUILTIN.lines().map(|n| format!("{n}x")).collect();
    let start = std::time::Instant::now();
    let hits = names.iter().filter(|n| check(n).is_some()).count();
    let elapsed = start.elapsed();
    assert!(
        hits > 5_000,
        "most `<popular>x` names imitate a popular one: {hits}"
    );
    // Generous for a debug build on a shared machine; release builds take a fraction of this.
    assert!(elapsed.as_secs_f64() < 5.0, "{elapsed:?}");
    eprintln!("10,000 typosquat checks: {elapsed:?}");
}
