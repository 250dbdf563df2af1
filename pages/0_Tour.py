"""Lecture tour page: a view of lessons.tour through ui.tour. One step of the lecture per
screen for a projector (?step=<id>): a headline, one live figure, one number, a question
for the class and the trained model's answer; → PageDown Space forward, ← PageUp back."""
import lessons.tour as lesson
import ui
from ui import tour

s = ui.setup(lesson)
tour.style()
step = tour.show_step(s)
ui.share()
tour.prefetch(step, s)  # the next step's numbers, while the class looks at this one
