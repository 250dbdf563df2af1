"""Glossary page: the lecture's terms in the session's language, each with a link to the
page that shows it live (a view of lessons.glossary)."""
import streamlit as st

import lessons
import lessons.glossary as lesson
import ui

ui.setup(lesson)
ui.intro(lesson)
pages = {l.SLUG: l.PAGE for l in lessons.LESSONS}
for term, where in lesson.TERMS:
    left, right = st.columns([1, 3])
    left.markdown(ui.t("glossary.entry", term=ui.t(f"glossary.term.{term}")))
    with right:
        st.markdown(ui.t(f"glossary.what.{term}"))
        ui.link(pages[where], ui.t("glossary.see", page=ui.t(f"{where}.nav")), icon="➡️")
ui.share()
