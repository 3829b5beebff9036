//! The binary case: σ(x), and binary cross-entropy computed stably (softplus) and naively.

use super::super::{bce, Knobs};
use crate::core::logits::sigmoid;
use crate::i18n::{tr, tr_fmt};
use crate::page::{Appearance, I18n, LessonParams};
use crate::ui::figure::Palette;
use crate::ui::train::fmt_num;
use crate::ui::{ExportButtons, Select};
use leptos::html::Canvas;
use leptos::prelude::*;

/// The logit slider (`sm-x`), the label (`sm-y`), `sm-sigmoid`, the BCE chart (`sm-bce-chart`)
/// with `sm-bce-break`, and the table.
#[component]
pub fn BinaryPanel() -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let params = expect_context::<LessonParams>();
    let look = Appearance::current();
    let t = move |key: &'static str| Signal::derive(move || i18n.t(key).to_string());
    let k = Knobs::KEYS;
    let x = Memo::new(move |_| params.knob(k.x));
    let y = Memo::new(move |_| params.knob(k.y) as f32);

    // ---- sigmoid and BCE -----------------------------------------------------------
    let bce_canvas = NodeRef::<Canvas>::new();
    let samples = Memo::new(move |_| bce::curve(y.get()));
    Effect::new(move |_| {
        let Some(c) = bce_canvas.get() else { return };
        let pal = Palette::of(&look);
        let lang = i18n.lang.get();
        let labels = (tr(lang, "sm.bce.stable"), tr(lang, "sm.bce.naive"));
        samples.with(|s| {
            if let Err(e) = bce::draw(&c, s, &pal, labels) {
                web_sys::console::warn_1(&e.into());
            }
        });
    });
    let bce_csv = Callback::new(move |()| {
        let mut rows = vec![vec![
            "x".to_string(),
            "sigmoid_naive".into(),
            "bce_with_logits".into(),
            "bce_naive".into(),
        ]];
        samples.with_untracked(|s| {
            for p in s {
                rows.push(vec![
                    format!("{}", p.x),
                    format!("{}", p.sigma),
                    format!("{}", p.stable),
                    format!("{}", p.naive),
                ]);
            }
        });
        rows
    });
    let break_text = move || {
        let lang = i18n.lang.get();
        match samples.with(|s| bce::first_break(s)) {
            Some(xb) => tr_fmt(lang, "sm.bce.breaks", &[("x", &fmt_num(f64::from(xb)))]),
            None => tr(lang, "sm.bce.no_break").to_string(),
        }
    };
    let bce_table = move || {
        let yv = y.get();
        let lang = i18n.lang.get();
        let rows = bce::TABLE_X
            .iter()
            .map(|&xv| {
                let s = bce::sample(xv, yv);
                let bad = !s.naive.is_finite();
                view! {
                    <tr>
                        <th scope="row">{fmt_num(f64::from(xv))}</th>
                        <td>{fmt_num(f64::from(s.sigma))}</td>
                        <td>{fmt_num(f64::from(s.stable))}</td>
                        <td class:sm-bad=bad>{fmt_num(f64::from(s.naive))}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <div class="sm-table-wrap">
                <table class="sm-table" data-testid="sm-bce-table">
                    <thead>
                        <tr>
                            <th scope="col">"x"</th>
                            <th scope="col">"σ(x) (f32)"</th>
                            <th scope="col">{tr(lang, "sm.bce.stable")}</th>
                            <th scope="col">{tr(lang, "sm.bce.naive")}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
    };

    let x_slider = move |ev| {
        if let Ok(v) = event_target_value(&ev).parse::<f64>() {
            params.put(k.x, v);
        }
    };
    let x_id = crate::ui::controls::next_id("x");
    let y_options =
        Signal::derive(move || vec![("0".into(), "y = 0".into()), ("1".into(), "y = 1".into())]);


    view! {
        <section class="panel" aria-labelledby="sm-h-binary">
            <h2 id="sm-h-binary">{move || i18n.t("sm.h.binary")}</h2>
            <p>{move || i18n.t("sm.text.sigmoid")}</p>
            <p class="formula">"σ(x) = 1 / (1 + e"<sup>"−x"</sup>")     BCE(x, y) = softplus(x) − y·x"</p>
            <div class="sm-knobs">
                <div class="w-field w-slider">
                    <label for=x_id.clone()>{move || i18n.t("sm.x")}</label>
                    <input
                        type="range"
                        id=x_id
                        min=k.x.min()
                        max=k.x.max()
                        step=0.5
                        data-testid="sm-x"
                        prop:value=move || x.get().to_string()
                        on:input=x_slider
                    />
                    <output>{move || format!("x = {}", fmt_num(x.get()))}</output>
                </div>
                <Select
                    label=t("sm.y")
                    options=y_options
                    value=Signal::derive(move || params.text(k.y))
                    on_change=Callback::new(move |v: String| params.put_text(k.y, &v))
                    testid="sm-y"
                />
            </div>
            <p data-testid="sm-sigmoid">
                {move || {
                    let xv = x.get() as f32;
                    let yv = y.get();
                    tr_fmt(
                        i18n.lang.get(),
                        "sm.sigmoid_value",
                        &[
                            ("x", &fmt_num(f64::from(xv))),
                            ("s", &fmt_num(f64::from(sigmoid(xv)))),
                            ("stable", &fmt_num(f64::from(bce::sample(xv, yv).stable))),
                            ("naive", &fmt_num(f64::from(bce::sample(xv, yv).naive))),
                        ],
                    )
                }}
            </p>
            <figure class="fig sm-bce-fig">
                <canvas
                    node_ref=bce_canvas
                    class="sm-bce-canvas"
                    role="img"
                    data-testid="sm-bce-chart"
                    aria-label=move || i18n.t("sm.bce.aria")
                ></canvas>
                <figcaption>
                    <span data-testid="sm-bce-break">{break_text}</span>
                    <ExportButtons
                        name="bce"
                        canvas=bce_canvas
                        csv=bce_csv
                        what=t("sm.bce.aria")
                    />
                </figcaption>
            </figure>
            <p>{move || i18n.t("sm.text.bce")}</p>
            {bce_table}
        </section>
    }
}
