//! GitLab (gitlab.com or self-hosted, `api_url: https://HOST/api/v4`): merge requests.

use reqwest::header::HeaderMap;
use reqwest::Method;
use serde_json::{json, Value};

use super::{
    expect, listed, newest, post_comment, pull_request, segment, send_expecting, token_header,
    what, Forge, ForgeError, ListFields, Listed, PlannedRequest, PrRequest, PullRequest, Repo,
};
use crate::deploy::retry::{Http, RetryPolicy};
use crate::deploy::{RemoteSettings, Secret};

pub struct GitLab {
    http: Http,
    repo: Repo,
}

impl GitLab {
    pub fn new(
        api: String,
        remote: &RemoteSettings,
        token: &Secret,
        policy: RetryPolicy,
    ) -> Result<GitLab, ForgeError> {
        let mut headers = HeaderMap::new();
        if !token.is_empty() {
            headers.insert("PRIVATE-TOKEN", token_header(token.expose().to_owned())?);
        }
        Ok(GitLab {
            http: Http::new("GitLab", headers, policy)?,
            repo: Repo::new(api, remote),
        })
    }

    /// `/projects/:id` with the id as the URL-encoded `owner/repo` path.
    fn project_url(&self) -> String {
        format!(
            "{}/projects/{}",
            self.repo.api,
            segment(&self.repo.full_name())
        )
    }

    fn list_url(&self, branch: &str) -> String {
        format!(
            // No `state`: merge requests in every state, so a closed or merged one is seen.
            "{}/merge_requests?source_branch={}",
            self.project_url(),
            segment(branch)
        )
    }

    fn create_body(pr: &PrRequest) -> Value {
        let mut body = json!({
            "source_branch": pr.head,
            "target_branch": pr.base,
            "title": if pr.draft { format!("Draft: {}", pr.title) } else { pr.title.clone() },
            "description": pr.body,
            "remove_source_branch": true,
        });
        if !pr.labels.is_empty() {
            body["labels"] = Value::String(pr.labels.join(","));
        }
        body
    }
}

impl Forge for GitLab {
    fn name(&self) -> &'static str {
        "GitLab"
    }

    fn push_username(&self) -> String {
        "oauth2".into()
    }

    fn find_latest(&self, branch: &str, _base: &str) -> Result<Option<PullRequest>, ForgeError> {
        let fields = ListFields {
            noun: "merge requests",
            head: "/source_branch",
            number: "iid",
            url: "web_url",
        };
        newest(
            &self.http,
            &self.repo,
            &self.list_url(branch),
            branch,
            &fields,
        )
    }

    fn create(&self, pr: &PrRequest) -> Result<PullRequest, ForgeError> {
        let url = format!("{}/merge_requests", self.project_url());
        let what = what(&Method::POST, &url);
        let response = self
            .http
            .send(Method::POST, &url, Some(&Self::create_body(pr)))?;
        if response.status == 409 {
            return self
                .find_open(&pr.head, &pr.base)?
                .ok_or(ForgeError::Unexpected {
                    forge: "GitLab",
                    what,
                    detail: "a merge request already exists for the branch but none is open".into(),
                });
        }
        let response = expect(&self.http, response, &[201], &what, &self.repo.full_name())?;
        pull_request("GitLab", &what, &response.body, "iid", "web_url")
    }

    fn recent(&self) -> Result<Vec<Listed>, ForgeError> {
        let url = format!(
            "{}/merge_requests?order_by=created_at&sort=desc&per_page=100",
            self.project_url()
        );
        listed(&self.http, &self.repo, &url, "/source_branch")
    }

    fn comment(&self, pr: &PullRequest, body: &str) -> Result<(), ForgeError> {
        let url = format!("{}/merge_requests/{}/notes", self.project_url(), pr.number);
        post_comment(&self.http, &self.repo, &url, body)
    }

    fn set_body(&self, pr: &PullRequest, body: &str) -> Result<(), ForgeError> {
        std::thread::sleep(self.http.policy().write_gap());
        let url = format!("{}/merge_requests/{}", self.project_url(), pr.number);
        send_expecting(
            &self.http,
            Method::PUT,
            &url,
            Some(&json!({ "description": body })),
            &[200],
            &self.repo,
        )?;
        Ok(())
    }

    fn plan(&self, pr: &PrRequest) -> Vec<PlannedRequest> {
        vec![
            PlannedRequest {
                method: "GET".into(),
                url: self.list_url(&pr.head),
                body: None,
            },
            PlannedRequest {
                method: "POST".into(),
                url: format!("{}/merge_requests", self.project_url()),
                body: Some(Self::create_body(pr)),
            },
        ]
    }
}
