use super::*;
use crate::output::Text;

/// What GitHub's runner reads from one line of a step's output, as `ActionCommand.TryParseV2` and then
/// `TryParse` do (<https://github.com/actions/runner/blob/main/src/Runner.Common/ActionCommand.cs>), stricter
/// in one way: every command name counts as registered.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Read {
    pub name: String,
    pub properties: Vec<(String, String)>,
    pub data: String,
}

pub(crate) fn runner_reads(line: &str) -> Option<Read> {
    let trimmed = line.trim_start();
    if let Some(rest) = trimmed.strip_prefix("::") {
        if let Some(end) = rest.find("::") {
            let info = &rest[..end];
            let (name, props) = info.split_once(' ').unwrap_or((info, ""));
            let properties = props
                .trim()
                .split(',')
                .filter(|p| !p.is_empty())
                .filter_map(|p| p.split_once('='))
                .map(|(k, v)| (k.to_owned(), unescape(v, true)))
                .collect();
            return Some(Read {
                name: name.to_owned(),
                properties,
                data: unescape(&rest[end + 2..], false),
            });
        }
    }
    let start = line.find("##[")?;
    let end = line[start..].find(']')? + start;
    let info = &line[start + 3..end];
    Some(Read {
        name: info.split(' ').next().unwrap_or_default().to_owned(),
        properties: Vec::new(),
        data: line[end + 1..].to_owned(),
    })
}

/// The runner's `UnescapeData` and `UnescapeProperty`: the replacements in its order.
pub(crate) fn unescape(text: &str, property: bool) -> String {
    let mut out = text.replace("%0D", "\r").replace("%0A", "\n");
    if property {
        out = out.replace("%3A", ":").replace("%2C", ",");
    }
    out.replace("%25", "%")
}

/// The lines of `output` as the runner cuts them: at LF, at CR, at CR LF.
pub(crate) fn runner_lines(output: &str) -> impl Iterator<Item = &str> {
    output.split(['\n', '\r'])
}

#[test]
fn escaping_is_the_toolkits() {
    // The cases of the toolkit's own tests (packages/core/__tests__/command.test.ts).
    assert_eq!(
        escape_data("percent % percent % cr \r cr \r lf \n lf \n"),
        "percent %25 percent %25 cr %0D cr %0D lf %0A lf %0A"
    );
    assert_eq!(escape_data("%25 %0D %0A"), "%2525 %250D %250A");
    assert_eq!(escape_data("a: b, c"), "a: b, c");
    assert_eq!(
        escape_property("percent % cr \r lf \n colon : comma ,"),
        "percent %25 cr %0D lf %0A colon %3A comma %2C"
    );
    assert_eq!(escape_property("%3A%2C"), "%253A%252C");
}

#[test]
fn an_annotation_carries_exactly_its_parts() {
    let command = Command::annotation(&Annotation {
        level: Level::Error,
        file: Some("src/demo/core.py"),
        line: Some(1),
        column: Some(8),
        title: Some("ruff F401"),
        message: "`os` imported but unused",
    });
    assert_eq!(
        command.to_string(),
        "::error file=src/demo/core.py,line=1,col=8,title=ruff F401::`os` imported but unused"
    );
    let hostile = Command::annotation(&Annotation {
        level: Level::Warning,
        file: Some("a,b:c%d\ne.py"),
        line: Some(3),
        column: None,
        title: Some("x::y,z\u{1b}[31m"),
        message: "line one\r\nline two %0A\n::set-output name=x::y\n##[error]z\u{1b}]52;c;eA==\u{7}",
    });
    assert_eq!(
        hostile.to_string(),
        "::warning file=a%2Cb%3Ac%25d%0Ae.py,line=3,title=x%3A%3Ay%2Cz::line one%0D%0Aline two %250A%0A::set-output name=x::y%0A##\\[error]z\\u{1b}]52;c;eA==\\u{7}"
    );
    let read = runner_reads(&hostile.to_string()).unwrap();
    assert_eq!(read.name, "warning");
    assert_eq!(
        read.properties,
        [
            ("file".to_owned(), "a,b:c%d\ne.py".to_owned()),
            ("line".to_owned(), "3".to_owned()),
            ("title".to_owned(), "x::y,z".to_owned()),
        ]
    );
    assert_eq!(
        read.data,
        "line one\r\nline two %0A\n::set-output name=x::y\n##\\[error]z\\u{1b}]52;c;eA==\\u{7}"
    );
    // Without a file, no line or column; without a line, no column.
    let bare = Command::annotation(&Annotation {
        line: Some(4),
        column: Some(2),
        message: "m",
        ..Annotation::default()
    });
    assert_eq!(bare.to_string(), "::error::m");
    assert_eq!(
        Command::group("ruff ... FAIL\nx").to_string(),
        "::group::ruff ... FAIL\\nx"
    );
}

#[test]
fn untrusted_words_never_start_a_command() {
    let mut text = Text::new();
    text.line("::set-output name=x::y")
        .line("  \u{a0}::add-mask::secret")
        .add("  ")
        .add(":")
        .paint(crate::output::Style::Fail, ":stop-commands::t")
        .end()
        .line("ok ##[error]forged ###[x]")
        .add("split #")
        .add("#")
        .line("[warning]")
        .lines("    | ", "::error::x\n##[group]y")
        .line("a::b is fine mid-line");
    text.command(Command::endgroup());
    assert_eq!(
        text.render(false),
        "\\::set-output name=x::y\n  \u{a0}\\::add-mask::secret\n  \\::stop-commands::t\nok ##\\[error]forged ###\\[x]\nsplit ##\\[warning]\n    | ::error::x\n    | ##\\[group]y\na::b is fine mid-line\n::endgroup::\n"
    );
    assert_eq!(
        text.render(true).lines().nth(2).unwrap(),
        "  \\:\u{1b}[1m\u{1b}[31m:stop-commands::t\u{1b}[0m"
    );
    let read: Vec<Read> = runner_lines(&text.render(false))
        .filter_map(runner_reads)
        .collect();
    assert_eq!(
        read,
        [Read {
            name: "endgroup".into(),
            properties: Vec::new(),
            data: String::new()
        }]
    );
}
