//! Durations as relgate writes them: how long something took, and a configured limit.

use std::time::Duration;

/// How long a check or a step took: `850 ms` under a second, else `12.3 s`.
pub fn elapsed(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

/// A configured limit as it was given: `600 s`, `0.5 s`.
pub fn limit(d: Duration) -> String {
    let secs = d.as_secs_f64();
    if secs.fract() == 0.0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{secs} s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elapsed_and_limits() {
        assert_eq!(elapsed(Duration::from_millis(850)), "850 ms");
        assert_eq!(elapsed(Duration::from_millis(12_345)), "12.3 s");
        assert_eq!(limit(Duration::from_secs(600)), "600 s");
        assert_eq!(limit(Duration::from_millis(500)), "0.5 s");
        assert_eq!(limit(Duration::from_millis(250)), "0.25 s");
    }
}
