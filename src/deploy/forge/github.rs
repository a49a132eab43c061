//! GitHub and GitHub Enterprise Server (`api_url: https://HOST/api/v3`): REST API 2022-11-28.

use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION};
use reqwest::Method;
use serde_json::{json, Value};

use super::{
    expect, listed, newest, post_comment, pull_request, segment, send_expecting, token_header,
    what, Forge, ForgeError, ListFields, Listed, PlannedRequest, PrRequest, PullRequest, Repo,
};
use crate::deploy::retry::{Http, RetryPolicy};
use crate::deploy::{RemoteSettings, Secret};

pub struct GitHub {
    http: Http,
    repo: Repo,
}

impl GitHub {
    pub fn new(
        api: String,
        remote: &RemoteSettings,
        token: &Secret,
        policy: RetryPolicy,
    ) -> Result<GitHub, ForgeError> {
        let mut headers = HeaderMap::new();
        headers.insert(
            ACCEPT,
            HeaderValue::from_static("application/vnd.github+json"),
        );
        headers.insert(
            "X-GitHub-Api-Version",
            HeaderValue::from_static("2022-11-28"),
        );
        if !token.is_empty() {
            headers.insert(
                AUTHORIZATION,
                token_header(format!("Bearer {}", token.expose()))?,
            );
        }
        Ok(GitHub {
            http: Http::new("GitHub", headers, policy)?,
            repo: Repo::new(api, remote),
        })
    }

    fn list_url(&self, branch: &str) -> String {
        format!(
            "{}/pulls?head={}&state=all",
            self.repo.repos_url(),
            segment(&format!("{}:{}", self.repo.owner, branch))
        )
    }

    fn create_body(pr: &PrRequest) -> Value {
        json!({
            "title": pr.title,
            "head": pr.head,
            "base": pr.base,
            "body": pr.body,
            "draft": pr.draft,
            "maintainer_can_modify": true,
        })
    }

    fn add_labels(&self, number: u64, labels: &[String]) -> Result<(), ForgeError> {
        if labels.is_empty() {
            return Ok(());
        }
        std::thread::sleep(self.http.policy().write_gap());
        let url = format!("{}/issues/{number}/labels", self.repo.repos_url());
        send_expecting(
            &self.http,
            Method::POST,
            &url,
            Some(&json!({ "labels": labels })),
            &[200],
            &self.repo,
        )?;
        Ok(())
    }
}

impl Forge for GitHub {
    fn name(&self) -> &'static str {
        "GitHub"
    }

    fn push_username(&self) -> String {
        "x-access-token".into()
    }

    fn find_latest(&self, branch: &str, _base: &str) -> Result<Option<PullRequest>, ForgeError> {
        let fields = ListFields {
            noun: "pull requests",
            head: "/head/ref",
            number: "number",
            url: "html_url",
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
        let url = format!("{}/pulls", self.repo.repos_url());
        let what = what(&Method::POST, &url);
        let response = self
            .http
            .send(Method::POST, &url, Some(&Self::create_body(pr)))?;
        if response.status == 422 && response.message().contains("A pull request already exists") {
            return self
                .find_open(&pr.head, &pr.base)?
                .ok_or(ForgeError::Unexpected {
                    forge: "GitHub",
                    what,
                    detail: "a pull request already exists for the branch but none is open".into(),
                });
        }
        let response = expect(&self.http, response, &[201], &what, &self.repo.full_name())?;
        let created = pull_request("GitHub", &what, &response.body, "number", "html_url")?;
        self.add_labels(created.number, &pr.labels)?;
        Ok(created)
    }

    fn recent(&self) -> Result<Vec<Listed>, ForgeError> {
        let url = format!(
            "{}/pulls?state=all&sort=created&direction=desc&per_page=100",
            self.repo.repos_url()
        );
        listed(&self.http, &self.repo, &url, "/head/ref")
    }

    fn comment(&self, pr: &PullRequest, body: &str) -> Result<(), ForgeError> {
        let url = format!("{}/issues/{}/comments", self.repo.repos_url(), pr.number);
        post_comment(&self.http, &self.repo, &url, body)
    }

    fn set_body(&self, pr: &PullRequest, body: &str) -> Result<(), ForgeError> {
        std::thread::sleep(self.http.policy().write_gap());
        let url = format!("{}/pulls/{}", self.repo.repos_url(), pr.number);
        send_expecting(
            &self.http,
            Method::PATCH,
            &url,
            Some(&json!({ "body": body })),
            &[200],
            &self.repo,
        )?;
        Ok(())
    }

    fn plan(&self, pr: &PrRequest) -> Vec<PlannedRequest> {
        let mut plan = vec![
            PlannedRequest {
                method: "GET".into(),
                url: self.list_url(&pr.head),
                body: None,
            },
            PlannedRequest {
                method: "POST".into(),
                url: format!("{}/pulls", self.repo.repos_url()),
                body: Some(Self::create_body(pr)),
            },
        ];
        if !pr.labels.is_empty() {
            plan.push(PlannedRequest {
                method: "POST".into(),
                url: format!("{}/issues/{{number}}/labels", self.repo.repos_url()),
                body: Some(json!({ "labels": pr.labels })),
            });
        }
        plan
    }
}
