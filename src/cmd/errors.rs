//! One way errors are printed: `error: what is wrong; what to do`, one line, each cause once.

/// The error and its causes in order, each once: a cause whose text its parent already
/// printed (a library error that shows its source, then the source itself) is skipped, and so
/// is a `; `-separated phrase said before. Tool output spanning lines folds into the one line.
pub fn one_line(e: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in e.chain() {
        let msg = cause.to_string();
        let msg = msg.split_whitespace().collect::<Vec<_>>().join(" ");
        if msg.is_empty() || line.contains(&msg) {
            continue;
        }
        let mut phrases = vec![];
        for phrase in msg.split("; ") {
            if !line.contains(phrase) && !phrases.contains(&phrase) {
                phrases.push(phrase);
            }
        }
        if phrases.is_empty() {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&phrases.join("; "));
    }
    line
}

/// A clap parse error as one line: its message and its tip, without the usage block.
pub fn clap_line(e: &clap::Error) -> String {
    let text = e.render().to_string();
    let mut parts: Vec<String> = vec![];
    for l in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if l.starts_with("Usage:") || l.starts_with("For more information") {
            continue;
        }
        let l = l.strip_prefix("error: ").unwrap_or(l);
        parts.push(l.strip_prefix("tip: ").unwrap_or(l).to_string());
    }
    parts.push("see --help".into());
    parts.join("; ")
}

/// Every subcommand's long options, `COMMAND --OPTION` a line.
pub fn print_options(cli: &clap::Command) {
    for sub in cli.get_subcommands().filter(|s| !s.is_hide_set()) {
        for arg in sub.get_arguments() {
            if let Some(long) = arg.get_long().filter(|&l| l != "help") {
                println!("{} --{long}", sub.get_name());
            }
        }
    }
}

/// Which options the user wrote on the command line (not their defaults): the subcommand's
/// matches and its definition.
pub struct Given {
    pub matches: clap::ArgMatches,
    pub command: clap::Command,
}

impl Given {
    /// The first of `ids` (clap ids: field names) given on the command line, as `--option`.
    pub fn first(&self, ids: &[&str]) -> Option<String> {
        let id = ids.iter().find(|id| {
            matches!(self.matches.try_get_raw(id), Ok(Some(_))) && self.matches.value_source(id) == Some(clap::parser::ValueSource::CommandLine)
        })?;
        let long = self.command.get_arguments().find(|a| a.get_id() == *id).and_then(|a| a.get_long()).unwrap_or(id);
        Some(format!("--{long}"))
    }

    /// Refuses options that mean nothing here: `ids` given while `applies` is false.
    pub fn refuse_unless(&self, applies: bool, ids: &[&str], what: &str) -> anyhow::Result<()> {
        match self.first(ids) {
            Some(opt) if !applies => anyhow::bail!("{opt} {what}"),
            _ => Ok(()),
        }
    }
}

/// A positive finite number, or an error naming the option.
pub fn positive(option: &str, v: f64, unit: &str) -> anyhow::Result<f64> {
    if !(v.is_finite() && v > 0.0) {
        anyhow::bail!("{option} {v} must be a positive finite number of {unit}");
    }
    Ok(v)
}

/// Refuses an output path that cannot be written, before any long work: a folder, a missing
/// parent folder, or one where a file cannot be created. The file is not left behind.
pub fn writable(option: &str, path: &std::path::Path) -> anyhow::Result<()> {
    if path.is_dir() {
        anyhow::bail!("cannot write {}: it is a folder; give {option} a file path", path.display());
    }
    let existed = path.exists();
    match std::fs::OpenOptions::new().append(true).create(true).open(path) {
        Ok(_) => {
            if !existed {
                let _ = std::fs::remove_file(path);
            }
            Ok(())
        }
        Err(e) => anyhow::bail!("cannot write {}: {e}; give {option} a path in a writable folder", path.display()),
    }
}

/// Refuses an output folder that cannot be made or written, before any long work, without
/// leaving anything behind: the folder itself if it exists, else its nearest existing parent,
/// must take a new entry.
pub fn writable_dir(option: &str, dir: &std::path::Path) -> anyhow::Result<()> {
    let fail = |why: String| anyhow::anyhow!("cannot write {}: {why}; give {option} a folder that can be created", dir.display());
    let base = dir.ancestors().find(|a| a.as_os_str().is_empty() || a.exists()).unwrap_or(dir);
    let base = if base.as_os_str().is_empty() { std::path::Path::new(".") } else { base };
    if !base.is_dir() {
        return Err(fail(format!("{} is a file", base.display())));
    }
    let probe = base.join(format!(".tern-write-probe-{}", std::process::id()));
    std::fs::create_dir(&probe).map_err(|e| fail(e.to_string()))?;
    let _ = std::fs::remove_dir(&probe);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A library error whose message shows its source, and which also returns it as source.
    #[derive(Debug)]
    struct Outer(Inner);
    #[derive(Debug)]
    struct Inner;

    impl std::fmt::Display for Outer {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "memory port: {}", self.0)
        }
    }
    impl std::fmt::Display for Inner {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("fifo_tiles = 0 is outside 2..=1024")
        }
    }
    impl std::error::Error for Outer {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.0)
        }
    }
    impl std::error::Error for Inner {}

    #[test]
    fn each_cause_once_and_each_phrase_once() {
        // a library error that prints its source, then the source in the chain again
        let e = anyhow::Error::new(Outer(Inner)).context("array configuration");
        assert_eq!(one_line(&e), "array configuration: memory port: fifo_tiles = 0 is outside 2..=1024");
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "No such file or directory (os error 2)");
        let e = anyhow::Error::new(io).context("cannot write /proc/nope: No such file or directory (os error 2)");
        assert_eq!(one_line(&e), "cannot write /proc/nope: No such file or directory (os error 2)");
        // advice said by two layers is said once; a tool log's lines fold into one
        let e = anyhow::anyhow!("cannot read x; check the path").context("loading model x; check the path\nsecond line");
        assert_eq!(one_line(&e), "loading model x; check the path second line: cannot read x");
    }
}
