//! The page of the lesson (wasm only); its registration and schema are in `mod.rs`.

use super::*;
use figures::table::IntermediateTable;
use model::*;


use crate::i18n::tr_fmt;
use crate::page::{I18n, LessonParams};
use crate::ui::train::fmt_num;
use crate::ui::Select;
use crate::ui::controls::KnobToggle;
use editor::{BarRow, LogitEditor};
use leptos::prelude::*;
use super::figures::binary::BinaryPanel;




/// The lesson's page, for the chapter module that carries it ([`super::Part`]).
pub fn view() -> AnyView {
    view! { <SoftmaxLesson /> }.into_any()
}

/// Temperature slider positions: T = 10^(k/20) for k in −26..=26 (0.05 … 20).
fn t_from_slider(k: i64) -> f64 {
    let t = 10f64.powf(k as f64 / 20.0);
    (t * 1000.0).round() / 1000.0
}

fn slider_from_t(t: f64) -> i64 {
    (t.max(1e-3).log10() * 20.0).round() as i64
}

#[component]
fn SoftmaxLesson() -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let params = expect_context::<LessonParams>();
    let t = move |key: &'static str| Signal::derive(move || i18n.t(key).to_string());

    let k = Knobs::KEYS;
    let z = Memo::new(move |_| logits_of(&params.knob(k.z)));
    let padded = Memo::new(move |_| params.knob(k.z).len() < MIN_CLASSES);
    let temp = Memo::new(move |_| params.knob(k.t));
    let scale = Memo::new(move |_| params.knob(k.scale));
    // The schema allows classes 0..=9; fewer logits than that cap it at the last class.
    let target = Memo::new(move |_| (params.knob(k.target) as usize).min(z.with(|z| z.len()) - 1));
    let show_naive = Memo::new(move |_| params.knob(k.naive));

    let computed = Memo::new(move |_| compute(&z.get(), scale.get(), temp.get(), target.get()));

    let set_z = move |v: Vec<f64>| params.put(k.z, v);
    let on_edit = Callback::new(move |(i, v): (usize, f64)| {
        let mut cur = z.get_untracked();
        if let Some(slot) = cur.get_mut(i) {
            *slot = v;
            set_z(cur);
        }
    });
    let add_class = move |_| {
        let mut cur = z.get_untracked();
        if cur.len() < MAX_CLASSES {
            cur.push(0.0);
            set_z(cur);
        }
    };
    let remove_class = move |_| {
        let mut cur = z.get_untracked();
        if cur.len() > MIN_CLASSES {
            cur.pop();
            set_z(cur);
        }
    };

    let column = move |f: fn(&Computed) -> &Vec<f32>| {
        Signal::derive(move || {
            computed.with(|c| match c {
                Ok(c) => f(c).iter().map(|&v| f64::from(v)).collect::<Vec<f64>>(),
                Err(_) => Vec::new(),
            })
        })
    };
    let p_sig = column(|c| &c.p);
    let p_naive_sig = column(|c| &c.p_naive);
    let grad_sig = column(|c| &c.grad);
    let naive_broken = Memo::new(move |_| {
        computed.with(|c| c.as_ref().is_ok_and(|c| c.p_naive.iter().any(|v| !v.is_finite())))
    });

    let t_id = crate::ui::controls::next_id("temp");
    let target_options = Signal::derive(move || {
        let lang = i18n.lang.get();
        (0..z.with(|z| z.len()))
            .map(|i| (i.to_string(), tr_fmt(lang, "sm.class_n", &[("n", &(i + 1).to_string())])))
            .collect::<Vec<_>>()
    });
    let scale_options = Signal::derive(move || {
        SCALES.iter().map(|s| (s.to_string(), format!("×{s}"))).collect::<Vec<_>>()
    });
    view! {
        <h1>{move || super::LESSON.title.get(i18n.lang.get())}</h1>
        <section class="lesson-text">
            <p>{move || i18n.t("sm.text.p1")}</p>
            <p class="formula">
                "p"<sub>"i"</sub>" = e"<sup>"z"<sub>"i"</sub>"/T"</sup>" / Σ"<sub>"j"</sub>
                " e"<sup>"z"<sub>"j"</sub>"/T"</sup>
                "     CE = −log p"<sub>"t"</sub>" = log Σ"<sub>"j"</sub>" e"<sup>"z"<sub>"j"</sub></sup>
                " − z"<sub>"t"</sub>
            </p>
            <p>{move || i18n.t("sm.text.p2")}</p>
        </section>

        <section class="panel" aria-labelledby="sm-h-logits">
            <h2 id="sm-h-logits">{move || i18n.t("sm.h.logits")}</h2>
            <p class="hint">{move || i18n.t("sm.logits_hint")}</p>
            <LogitEditor z=z target=target on_change=on_edit />
            <Show when=move || padded.get()>
                <p class="hint" role="status" data-testid="sm-padded">{move || i18n.t("sm.padded")}</p>
            </Show>
            <div class="sm-tools">
                <button
                    type="button"
                    data-testid="sm-add"
                    disabled=move || z.with(|z| z.len() >= MAX_CLASSES)
                    on:click=add_class
                >
                    {move || i18n.t("sm.add")}
                </button>
                <button
                    type="button"
                    data-testid="sm-remove"
                    disabled=move || z.with(|z| z.len() <= MIN_CLASSES)
                    on:click=remove_class
                >
                    {move || i18n.t("sm.remove")}
                </button>
                <button
                    type="button"
                    data-testid="sm-large"
                    on:click=move |_| set_z(LARGE_Z.to_vec())
                >
                    {move || i18n.t("sm.large")}
                </button>
                <button
                    type="button"
                    data-testid="sm-default"
                    on:click=move |_| {
                        set_z(vec![2.0, 1.0, 0.1, -1.0]);
                        params.put(k.scale, 1.0);
                    }
                >
                    {move || i18n.t("sm.default")}
                </button>
            </div>
            <div class="sm-knobs">
                <Select
                    label=t("sm.scale")
                    options=scale_options
                    value=Signal::derive(move || params.text(k.scale))
                    on_change=Callback::new(move |v: String| params.put_text(k.scale, &v))
                    testid="sm-scale"
                />
                <div class="w-field w-slider">
                    <label for=t_id.clone()>{move || i18n.t("sm.temperature")}</label>
                    <input
                        type="range"
                        id=t_id
                        min=-26
                        max=26
                        step=1
                        data-testid="sm-temp"
                        aria-valuetext=move || format!("T = {}", fmt_num(temp.get()))
                        prop:value=move || slider_from_t(temp.get()).to_string()
                        on:input=move |ev| {
                            if let Ok(pos) = event_target_value(&ev).parse::<i64>() {
                                params.put(k.t, t_from_slider(pos.clamp(-26, 26)));
                            }
                        }
                    />
                    <output>{move || format!("T = {}", fmt_num(temp.get()))}</output>
                </div>
                <Select
                    label=t("sm.target")
                    options=target_options
                    value=Signal::derive(move || target.get().to_string())
                    on_change=Callback::new(move |v: String| {
                        if let Ok(i) = v.parse::<i64>() {
                            params.put(k.target, i);
                        }
                    })
                    testid="sm-target"
                />
            </div>
        </section>

        <section class="panel" aria-labelledby="sm-h-probs">
            <h2 id="sm-h-probs">{move || i18n.t("sm.h.probs")}</h2>
            <p class="sm-row-label">{move || i18n.t("sm.p_stable")}</p>
            <BarRow values=p_sig range=1.0 from_zero=true class="sm-prob" testid="sm-p" target=target />
            <KnobToggle label=t("sm.show_naive") knob=k.naive testid="sm-naive-toggle" />
            <Show when=move || show_naive.get()>
                <p class="sm-row-label">{move || i18n.t("sm.p_naive")}</p>
                <BarRow
                    values=p_naive_sig
                    range=1.0
                    from_zero=true
                    class="sm-naive"
                    testid="sm-pn"
                    target=target
                />
            </Show>
            <div aria-live="polite" data-testid="sm-overflow">
                {move || {
                    if naive_broken.get() {
                        view! { <p class="sm-alert">{i18n.t("sm.overflow")}</p> }.into_any()
                    } else {
                        view! { <p class="hint">{i18n.t("sm.no_overflow")}</p> }.into_any()
                    }
                }}
            </div>
            <p>{move || i18n.t("sm.text.shift")}</p>
            <p class="formula">"softmax(z) = softmax(z − c),   c = max"<sub>"j"</sub>" z"<sub>"j"</sub>
                "  ⇒  0 < e"<sup>"(z"<sub>"i"</sub>"−c)/T"</sup>" ≤ 1"</p>
            <IntermediateTable computed=computed target=target z=z scale=scale />
            <p>{move || i18n.t("sm.text.temperature")}</p>
        </section>

        <section class="panel" aria-labelledby="sm-h-ce">
            <h2 id="sm-h-ce">{move || i18n.t("sm.h.ce")}</h2>
            <p class="sm-ce" data-testid="sm-ce">
                {move || {
                    let lang = i18n.lang.get();
                    computed
                        .with(|c| c.as_ref().ok().map(|c| (c.ce, c.lse, c.entropy)))
                        .map(|(ce, lse, h)| {
                            tr_fmt(
                                lang,
                                "sm.ce_value",
                                &[
                                    ("t", &(target.get() + 1).to_string()),
                                    ("ce", &fmt_num(f64::from(ce))),
                                    ("lse", &fmt_num(f64::from(lse))),
                                    ("h", &fmt_num(f64::from(h))),
                                ],
                            )
                        })
                        .unwrap_or_default()
                }}
            </p>
            <p>{move || i18n.t("sm.text.grad")}</p>
            <p class="sm-row-label">{move || i18n.t("sm.grad")}</p>
            <BarRow values=grad_sig range=1.0 from_zero=false class="sm-grad" testid="sm-g" target=target />
        </section>

        <BinaryPanel />
    }
}
