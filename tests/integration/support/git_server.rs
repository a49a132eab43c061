//! A real bare repository served over smart HTTP: `git http-backend` run as CGI per request,
//! behind HTTP Basic auth that accepts any user name with the right token as password (as
//! GitHub does with `x-access-token`). Pushes are allowed once authenticated.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use super::http::{base64_decode, Reply, Request, Server};

/// One request the git server saw.
#[derive(Debug, Clone)]
pub struct GitRequest {
    pub method: String,
    pub target: String,
    /// User name of the Basic auth, when the password was right.
    pub user: Option<String>,
    /// The raw Authorization header value, to check that nothing else carried the token.
    pub authorization: Option<String>,
}

pub struct GitServer {
    pub server: Server,
    pub root: PathBuf,
    pub log: Arc<Mutex<Vec<GitRequest>>>,
}

impl GitServer {
    /// Serve the bare repositories under `root` to clients that give `token`.
    pub fn start(root: &Path, token: &str) -> GitServer {
        let log = Arc::new(Mutex::new(Vec::new()));
        let (root_owned, token, seen) = (root.to_path_buf(), token.to_owned(), log.clone());
        let server = Server::start(move |req: Request| {
            let user = req
                .header("authorization")
                .and_then(|h| h.strip_prefix("Basic "))
                .and_then(base64_decode)
                .and_then(|raw| String::from_utf8(raw).ok())
                .and_then(|pair| {
                    let (user, password) = pair.split_once(':')?;
                    (password == token).then(|| user.to_owned())
                });
            seen.lock().unwrap().push(GitRequest {
                method: req.method.clone(),
                target: req.target.clone(),
                user: user.clone(),
                authorization: req.header("authorization").map(str::to_owned),
            });
            let Some(user) = user else {
                return Reply::Send {
                    status: 401,
                    headers: vec![("WWW-Authenticate".into(), "Basic realm=\"git\"".into())],
                    body: b"unauthorized\n".to_vec(),
                };
            };
            backend(&root_owned, &req, &user)
        });
        GitServer {
            server,
            root: root.to_path_buf(),
            log,
        }
    }

    /// URL of the repository `name` (e.g. `shop.git`).
    pub fn url(&self, name: &str) -> String {
        format!("{}/{name}", self.server.url())
    }

    pub fn requests(&self) -> Vec<GitRequest> {
        self.log.lock().unwrap().clone()
    }
}

fn backend(root: &Path, req: &Request, user: &str) -> Reply {
    let (path, query) = req.target.split_once('?').unwrap_or((&req.target, ""));
    let mut cmd = Command::new("git");
    cmd.arg("http-backend")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("GIT_PROJECT_ROOT", root)
        .env("GIT_HTTP_EXPORT_ALL", "1")
        .env("REQUEST_METHOD", &req.method)
        .env("PATH_INFO", super::http::percent_decode(path))
        .env("QUERY_STRING", query)
        .env("CONTENT_TYPE", req.header("content-type").unwrap_or(""))
        .env("CONTENT_LENGTH", req.body.len().to_string())
        .env("REMOTE_USER", user)
        .env("REMOTE_ADDR", "127.0.0.1")
        .env("GATEWAY_INTERFACE", "CGI/1.1")
        .env("SERVER_PROTOCOL", "HTTP/1.1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(enc) = req.header("content-encoding") {
        cmd.env("HTTP_CONTENT_ENCODING", enc);
    }
    if let Some(proto) = req.header("git-protocol") {
        cmd.env("GIT_PROTOCOL", proto);
    }
    let mut child = cmd.spawn().expect("git http-backend runs");
    let mut stdin = child.stdin.take().unwrap();
    let body = req.body.clone();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&body);
    });
    let out = child.wait_with_output().expect("git http-backend finishes");
    let _ = writer.join();
    let raw = out.stdout;
    let (head, body) = match find(&raw, b"\r\n\r\n") {
        Some(i) => (&raw[..i], &raw[i + 4..]),
        None => match find(&raw, b"\n\n") {
            Some(i) => (&raw[..i], &raw[i + 2..]),
            None => (&raw[..0], &raw[..]),
        },
    };
    let mut status = 200;
    let mut headers = Vec::new();
    for line in String::from_utf8_lossy(head).lines() {
        let Some((k, v)) = line.split_once(':') else {
            continue;
        };
        if k.eq_ignore_ascii_case("status") {
            status = v.trim().split(' ').next().unwrap().parse().unwrap_or(500);
        } else {
            headers.push((k.trim().to_owned(), v.trim().to_owned()));
        }
    }
    Reply::Send {
        status,
        headers,
        body: body.to_vec(),
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}
