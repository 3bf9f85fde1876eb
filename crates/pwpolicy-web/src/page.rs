//! The page itself: `index.html` from the assets with its placeholders
//! filled, every value HTML-escaped. Without JavaScript it is a plain form
//! that lists the rules and, after a submit, says what happened.

use std::fmt::Write as _;
use std::path::Path;

use pwpolicy::{ShownRule, html_escape};

use crate::change::Outcome;

/// The placeholders `index.html` must hold.
pub const PLACEHOLDERS: [&str; 4] = ["{{csrf}}", "{{user}}", "{{result}}", "{{rules}}"];

/// `index.html`, read once at start.
#[derive(Debug, Clone)]
pub struct Template {
    html: String,
}

impl Template {
    /// Reads `dir/index.html`.
    ///
    /// # Errors
    ///
    /// The file cannot be read, is not UTF-8, or lacks a placeholder.
    pub fn load(dir: &Path) -> anyhow::Result<Template> {
        let path = dir.join("index.html");
        let html = std::fs::read_to_string(&path)
            .map_err(|e| anyhow::anyhow!("cannot read the page {}: {e}", path.display()))?;
        Template::new(html).map_err(|e| anyhow::anyhow!("the page {}: {e}", path.display()))
    }

    /// A template from its text.
    ///
    /// # Errors
    ///
    /// A placeholder is missing.
    pub fn new(html: String) -> anyhow::Result<Template> {
        if let Some(missing) = PLACEHOLDERS.iter().find(|p| !html.contains(*p)) {
            anyhow::bail!("has no {missing} placeholder");
        }
        Ok(Template { html })
    }

    /// The page, with the token, the account typed, what a submit gave
    /// (already HTML) and the rules.
    pub fn render(&self, csrf: &str, user: &str, result: &str, rules: &[ShownRule]) -> String {
        self.html
            .replace("{{csrf}}", &html_escape(csrf))
            .replace("{{user}}", &html_escape(user))
            .replace("{{rules}}", &rules_html(rules, &[]))
            .replace("{{result}}", result)
    }
}

/// One `<li data-rule data-met data-on-submit>` per rule; `broken` are the
/// codes a submit was refused for.
pub fn rules_html(rules: &[ShownRule], broken: &[&str]) -> String {
    let mut out = String::new();
    for rule in rules {
        let met = !broken.contains(&rule.code.as_str());
        let _ = writeln!(
            out,
            "<li data-rule=\"{}\" data-met=\"{}\" data-on-submit=\"{}\">{}</li>",
            html_escape(&rule.code),
            if broken.is_empty() { false } else { met },
            rule.on_submit,
            html_escape(&rule.words)
        );
    }
    out
}

/// What a submit gave, as the no-JavaScript page says it.
pub fn result_html(outcome: &Outcome) -> String {
    let (class, text) = (
        if matches!(outcome, Outcome::Changed) {
            "ok"
        } else {
            "error"
        },
        outcome.message(),
    );
    let mut out = format!(
        "<div id=\"result\" class=\"{class}\" role=\"status\" data-outcome=\"{}\"><p>{}</p>",
        outcome.code(),
        html_escape(&text)
    );
    if let Outcome::Rejected(violations) = outcome {
        out.push_str("<ul>");
        for v in violations {
            let _ = write!(
                out,
                "<li data-violation=\"{}\">{}</li>",
                html_escape(&v.code),
                html_escape(&v.message)
            );
        }
        out.push_str("</ul>");
    }
    out.push_str("</div>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped_where_they_land() {
        let t =
            Template::new("<input value=\"{{user}}\">{{csrf}}{{result}}<ul>{{rules}}</ul>".into())
                .unwrap();
        let page = t.render("tok", "\"><script>alert(1)</script>", "", &[]);
        assert!(!page.contains("<script>"), "{page}");
        assert!(page.contains("&quot;&gt;&lt;script&gt;"), "{page}");
    }

    #[test]
    fn a_template_without_its_placeholders_is_refused() {
        let e = Template::new("<form></form>".into()).unwrap_err();
        assert!(e.to_string().contains("{{csrf}}"), "{e}");
    }

    #[test]
    fn every_rule_is_listed_with_its_code_and_state() {
        let rules = pwpolicy::Policy::default().rules_shown();
        let html = rules_html(&rules, &[]);
        for r in &rules {
            assert!(html.contains(&format!("data-rule=\"{}\" data-met=\"false\"", r.code)));
        }
        let after = rules_html(&rules, &["reused"]);
        assert!(after.contains("data-rule=\"reused\" data-met=\"false\""));
        assert!(after.contains("data-rule=\"too_short\" data-met=\"true\""));
    }
}
