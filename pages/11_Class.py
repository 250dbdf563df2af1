"""Class page: a view of lessons.classroom. The teacher starts a class session here or on
the tour; the projector shows the join code and QR code and the board: every student's
drawn digit on the AE's and the VAE's code maps, read by the referee, and the drawings as a
small test set. A student who joined draws here, and can go back to following the tour."""
import streamlit as st

import gm
import lessons.classroom as lesson
import lessons.tour as tour
import ui
from ui import classroom as room
from ui import tour as projector
from ui.figures import classroom as figs

s = ui.setup(lesson)
projector.style()  # the board is on the projector: the tour's large type
ui.intro(lesson)
who, code = room.role()
data = gm.load_dataset(s.dataset)

if who is None:
    room.join_or_start()
    st.stop()

if who == "student":  # draws, and sees the board with everyone's digits
    st.markdown(ui.t("classroom.student", code=room.spaced(code)))
    ui.link(tour.PAGE, ui.t("class.back_to_tour"), icon=":material/school:")
    room.draw_box(data.shape)
else:
    with st.expander(ui.t("class.join_card"), expanded=not room.call(room.store().drawings, code, quiet=True)):
        room.join_card(code, qr=200)
    ui.link(tour.PAGE, ui.t("class.to_tour"), icon=":material/co_present:")
ae, vae = ui.require(*lesson.specs(s.dataset, s.seed))
ref = ui.referee(s.dataset)
maps = ui.compute(lesson.maps, ae.spec, vae.spec, s.seed)
usual = {n: ui.compute(lesson.test_error, m.spec) for n, m in zip(lesson.NAMES, (ae, vae))}


def board() -> None:
    x, said, b = room.board(code, lambda d: lesson.as_images(d, data.shape[-1]),
                            lambda x, said: lesson.board(ae, vae, ref, x, said, maps, usual))
    m = st.columns(4)
    m[0].metric(ui.t("classroom.metric.n"), b["n"])
    if b["n"]:
        for col, name in zip(m[1:3], lesson.NAMES):
            col.metric(ui.t(f"classroom.metric.{name}"), ui.num(b["error"][name], ".3f"))
            col.caption(ui.t("classroom.metric.usual", x=b["ratio"][name], usual=b["usual"][name]))
        m[3].metric(ui.t("classroom.metric.fooled"), ui.t("classroom.metric.of", k=len(b["fooled"]), n=sum(v is not None for v in said)))
    for col, name in zip(st.columns(2), lesson.NAMES):
        ui.chart(figs.board_map(maps[name], name, data.classes, maps["frame"], b), where=col,
                 key=f"classroom.map_{name}")
    st.markdown(ui.say(b["verdict"]))
    if b["n"]:
        bad = b["fooled"] + [i for i in b["strange"] if i not in b["fooled"]]
        if bad:
            st.subheader(ui.t("classroom.fooled"))
            ui.images(x[bad[:12]], ncols=12, cell=84, caption=" · ".join(
                ui.t("classroom.read", said="?" if said[i] is None else data.classes[said[i]],
                     read=data.classes[b["label"][i]], real=b["realism"][i]) for i in bad[:12]))
        st.subheader(ui.t("classroom.all", n=b["n"]))
        ui.images(x[-48:], ncols=16, cell=56)


board()
room.watch_board(code)
if who == "teacher":
    st.button(ui.t("class.clear"), key="class-clear", icon=":material/delete_sweep:",
              on_click=lambda: room.call(room.store().clear, code, st.session_state[room.TOKEN]))
ui.share()
