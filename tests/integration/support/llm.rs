//! A fake OpenAI-compatible server: `POST /v1/chat/completions` answered from a per-test script,
//! every request checked against the shape the contract fixes and kept for the test to read.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};

use super::http::{Reply, Request, Server};

/// One scripted answer, in the order requests arrive.
#[derive(Debug, Clone)]
pub enum Step {
    /// 200 with this message content.
    Answer(String),
    /// 400 when the request holds `response_format` (a server without structured output).
    RejectFormat,
    /// This status, with `Retry-After: 0` when `retry` is set.
    Status(u16, bool),
    /// Wait this long, then answer `{"abstain": "late"}`.
    Slow(Duration),
    /// 200 with this body as it is.
    Raw(Vec<u8>),
}

pub struct LlmServer {
    server: Server,
    requests: Arc<Mutex<Vec<Value>>>,
    problems: Arc<Mutex<Vec<String>>>,
    authorization: Arc<Mutex<Vec<Option<String>>>>,
}

impl LlmServer {
    pub fn start(model: &'static str, script: Vec<Step>) -> LlmServer {
        let requests = Arc::new(Mutex::new(Vec::new()));
        let problems = Arc::new(Mutex::new(Vec::new()));
        let authorization = Arc::new(Mutex::new(Vec::new()));
        let (seen, wrong, auth) = (requests.clone(), problems.clone(), authorization.clone());
        let script = Arc::new(Mutex::new(script.into_iter()));
        let server = Server::start(move |request: Request| {
            let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
            for problem in shape_problems(&request, &body, model) {
                wrong.lock().unwrap().push(problem);
            }
            seen.lock().unwrap().push(body.clone());
            auth.lock()
                .unwrap()
                .push(request.header("authorization").map(str::to_owned));
            let step = script.lock().unwrap().next();
            match step {
                Some(Step::Answer(content)) => Reply::json(200, &completion(model, &content)),
                Some(Step::RejectFormat) if body.get("response_format").is_some() => Reply::json(
                    400,
                    &json!({"error": {"message": "response_format is not supported", "type": "invalid_request_error"}}),
                ),
                Some(Step::RejectFormat) => {
                    Reply::json(200, &completion(model, r#"{"abstain": "no format"}"#))
                }
                Some(Step::Status(status, retry)) => Reply::Send {
                    status,
                    headers: if retry {
                        vec![("Retry-After".into(), "0".into())]
                    } else {
                        Vec::new()
                    },
                    body: br#"{"error": {"message": "scripted failure"}}"#.to_vec(),
                },
                Some(Step::Raw(body)) => Reply::Send {
                    status: 200,
                    headers: vec![("Content-Type".into(), "application/json".into())],
                    body,
                },
                Some(Step::Slow(wait)) => {
                    std::thread::sleep(wait);
                    Reply::json(200, &completion(model, r#"{"abstain": "late"}"#))
                }
                None => Reply::json(
                    500,
                    &json!({"error": {"message": "no more scripted answers"}}),
                ),
            }
        });
        LlmServer {
            server,
            requests,
            problems,
            authorization,
        }
    }

    /// The base URL to configure as `fix.llm.url`.
    pub fn url(&self) -> String {
        format!("{}/v1", self.server.url())
    }

    /// The request bodies received so far.
    pub fn requests(&self) -> Vec<Value> {
        self.requests.lock().unwrap().clone()
    }

    /// The `Authorization` header of each request.
    pub fn authorization(&self) -> Vec<Option<String>> {
        self.authorization.lock().unwrap().clone()
    }

    /// What was wrong with the requests' shape; empty when all were right.
    pub fn problems(&self) -> Vec<String> {
        self.problems.lock().unwrap().clone()
    }
}

/// A chat completion as OpenAI-compatible servers return it.
pub fn completion(model: &str, content: &str) -> Value {
    json!({
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": model,
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": content},
            "finish_reason": "stop"
        }],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}
    })
}

fn shape_problems(request: &Request, body: &Value, model: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let mut want = |ok: bool, what: &str| {
        if !ok {
            problems.push(what.to_string());
        }
    };
    want(request.method == "POST", "method is not POST");
    want(
        request.path() == "/v1/chat/completions",
        "path is not /v1/chat/completions",
    );
    want(
        request
            .header("content-type")
            .is_some_and(|c| c.starts_with("application/json")),
        "content-type is not JSON",
    );
    want(body["model"] == model, "model is not the configured one");
    want(body["temperature"] == 0, "temperature is not 0");
    want(body.get("tools").is_none(), "tools are sent");
    let messages = body["messages"].as_array().cloned().unwrap_or_default();
    want(
        messages.len() == 2
            && messages[0]["role"] == "system"
            && messages[1]["role"] == "user"
            && messages.iter().all(|m| m["content"].is_string()),
        "messages are not one system and one user message",
    );
    if let Some(format) = body.get("response_format") {
        want(
            format["type"] == "json_schema"
                && format["json_schema"]["name"] == "hephaestus_fix"
                && format["json_schema"]["strict"] == true
                && format["json_schema"]["schema"]["type"] == "object",
            "response_format is not the strict hephaestus_fix schema",
        );
    }
    problems
}
