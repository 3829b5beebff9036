//! The table of intermediate values: for every class `z/T`, the naive `e^(z/T)`, the shifted
//! `e^((z−m)/T)`, both softmaxes and their sums, with the target's row marked; and its CSV.

use crate::i18n::tr;
use crate::lessons::softmax::model::Computed;
use crate::page::I18n;
use crate::ui::export_csv;
use crate::ui::train::fmt_num;
use leptos::prelude::*;

/// The table and its CSV button.
#[component]
pub fn IntermediateTable(
    /// The page's numbers (or why they could not be computed).
    computed: Memo<Result<Computed, String>>,
    /// The target class.
    target: Memo<usize>,
    /// The logits as edited.
    z: Memo<Vec<f64>>,
    /// Their scale.
    scale: Memo<f64>,
) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let table = move || {
        let lang = i18n.lang.get();
        let tg = target.get();
        computed.with(|c| match c {
            Err(e) => view! { <p class="w-error">{e.clone()}</p> }.into_any(),
            Ok(c) => {
                let rows = (0..c.p.len())
                    .map(|i| {
                        let cell = |v: f32| {
                            let bad = !v.is_finite();
                            view! { <td class:sm-bad=bad>{fmt_num(f64::from(v))}</td> }
                        };
                        view! {
                            <tr class:sm-target=tg == i>
                                <th scope="row">{i + 1}</th>
                                {cell(c.scaled[i])}
                                {cell(c.exp_naive[i])}
                                {cell(c.exp_stable[i])}
                                {cell(c.p[i])}
                                {cell(c.p_naive[i])}
                            </tr>
                        }
                    })
                    .collect_view();
                let sum_naive: f32 = c.exp_naive.iter().sum();
                let sum_stable: f32 = c.exp_stable.iter().sum();
                view! {
                    <div class="sm-table-wrap">
                        <table class="sm-table" data-testid="sm-table">
                            <thead>
                                <tr>
                                    <th scope="col">{tr(lang, "sm.col.class")}</th>
                                    <th scope="col">"z/T"</th>
                                    <th scope="col">"e^(z/T)"</th>
                                    <th scope="col">"e^((z−m)/T)"</th>
                                    <th scope="col">{tr(lang, "sm.col.p_stable")}</th>
                                    <th scope="col">{tr(lang, "sm.col.p_naive")}</th>
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                            <tfoot>
                                <tr>
                                    <th scope="row">"Σ"</th>
                                    <td></td>
                                    <td class:sm-bad=!sum_naive.is_finite()>
                                        {fmt_num(f64::from(sum_naive))}
                                    </td>
                                    <td>{fmt_num(f64::from(sum_stable))}</td>
                                    <td>{fmt_num(f64::from(c.p.iter().sum::<f32>()))}</td>
                                    <td>{fmt_num(f64::from(c.p_naive.iter().sum::<f32>()))}</td>
                                </tr>
                            </tfoot>
                        </table>
                    </div>
                }
                .into_any()
            }
        })
    };
    let table_csv = move || -> Vec<Vec<String>> {
        let mut rows = vec![vec![
            "class".to_string(),
            "z".into(),
            "z_over_T".into(),
            "exp_naive".into(),
            "exp_stable".into(),
            "p".into(),
            "p_naive".into(),
            "grad_p_minus_onehot".into(),
        ]];
        let zv = z.get_untracked();
        let s = scale.get_untracked();
        computed.with_untracked(|c| {
            if let Ok(c) = c {
                for i in 0..c.p.len() {
                    rows.push(vec![
                        (i + 1).to_string(),
                        format!("{}", zv.get(i).copied().unwrap_or(0.0) * s),
                        format!("{}", c.scaled[i]),
                        format!("{}", c.exp_naive[i]),
                        format!("{}", c.exp_stable[i]),
                        format!("{}", c.p[i]),
                        format!("{}", c.p_naive[i]),
                        format!("{}", c.grad[i]),
                    ]);
                }
            }
        });
        rows
    };

    view! {
        {table}
            <div class="sm-export">
            <button
                type="button"
                data-testid="export-csv-softmax"
                on:click=move |_| {
                    if let Err(e) = export_csv(&table_csv(), "dlviz-softmax.csv") {
                        web_sys::console::warn_1(&e.into());
                    }
                }
            >
                "CSV"
            </button>
        </div>
    }
}
