//! The rule every screen with figures of its own follows before asking the operations layer:
//! ask when the request differs from the one asked, or when that one has no answer yet.

/// Whether `req` is to be asked; when it is, it is recorded as asked and the old figures go
/// (figures of another request must not be drawn under the new one).
pub fn needs_asking<R: PartialEq + Clone, F>(asked: &mut Option<R>, figures: &mut Option<F>, req: &R) -> bool {
    if asked.as_ref() == Some(req) && figures.is_some() {
        return false;
    }
    *asked = Some(req.clone());
    *figures = None;
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asks_a_new_request_or_an_unanswered_one() {
        let (mut asked, mut figures): (Option<u8>, Option<&str>) = (None, None);
        assert!(needs_asking(&mut asked, &mut figures, &1));
        assert!(needs_asking(&mut asked, &mut figures, &1), "asked but not answered");
        figures = Some("answer");
        assert!(!needs_asking(&mut asked, &mut figures, &1));
        assert!(needs_asking(&mut asked, &mut figures, &2));
        assert_eq!((asked, figures), (Some(2), None));
    }
}
