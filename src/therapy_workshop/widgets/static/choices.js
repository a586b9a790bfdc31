// A group of native radio buttons or checkboxes inside a <fieldset> whose <legend> is the question.
// Native controls give keyboard use (Tab, arrow keys, Space) and an accessible group name for free;
// the answer key never reaches this code: Python sends option labels and, after a check, marks.
// Ids (and radio group names) must be unique in the whole page. Each widget may load this module on its own,
// so a module-level counter is not enough: the counter lives on window, with a random part as well.
function uniqueGroupId() {
  window.__twChoiceGroups = (window.__twChoiceGroups || 0) + 1;
  return `tw-choices-${window.__twChoiceGroups}-${Math.random().toString(36).slice(2, 8)}`;
}

function render({ model, el }) {
  const groupId = uniqueGroupId();
  const fieldset = document.createElement("fieldset");
  fieldset.className = "tw-choices";
  const legend = document.createElement("legend");
  legend.className = "tw-choices-legend";
  const hint = document.createElement("p");
  hint.className = "tw-choices-hint";
  hint.id = `${groupId}-hint`;
  const list = document.createElement("div");
  list.className = "tw-choices-list";
  fieldset.append(legend, hint, list);
  el.append(fieldset);

  let inputs = [];
  let rows = [];
  let markSpans = [];

  function emitSelection() {
    const chosen = inputs.filter((input) => input.checked).map((input) => Number(input.value));
    model.set("selected", chosen);
    model.save_changes();
  }

  function build() {
    legend.innerHTML = model.get("legend_html");
    const hintText = model.get("hint");
    hint.textContent = hintText;
    hint.hidden = !hintText;
    if (hintText) {
      fieldset.setAttribute("aria-describedby", hint.id);
    } else {
      fieldset.removeAttribute("aria-describedby");
    }
    const multiple = model.get("multiple");
    inputs = [];
    rows = [];
    markSpans = [];
    list.replaceChildren();
    model.get("option_html").forEach((optionHtml, index) => {
      const row = document.createElement("div");
      row.className = "tw-choice";
      const input = document.createElement("input");
      input.type = multiple ? "checkbox" : "radio";
      input.name = groupId;
      input.id = `${groupId}-${index}`;
      input.value = String(index);
      input.addEventListener("change", emitSelection);
      const label = document.createElement("label");
      label.htmlFor = input.id;
      label.innerHTML = optionHtml;
      const mark = document.createElement("span");
      mark.className = "tw-mark";
      label.append(mark);
      row.append(input, label);
      list.append(row);
      inputs.push(input);
      rows.push(row);
      markSpans.push(mark);
    });
    sync();
  }

  function sync() {
    const selected = new Set(model.get("selected"));
    const marks = model.get("marks");
    const labels = model.get("mark_labels");
    const disabled = model.get("disabled");
    inputs.forEach((input, index) => {
      input.checked = selected.has(index);
      input.disabled = disabled;
      const kind = marks[index] || "";
      rows[index].dataset.mark = kind;
      markSpans[index].textContent = kind && labels[kind] ? labels[kind] : "";
    });
  }

  function focusFirst() {
    const target = inputs.find((input) => input.checked) || inputs[0];
    if (target) {
      target.focus();
    }
  }

  function onFocusRequest() {
    model.__twFocusHandled = model.get("focus_token");
    setTimeout(focusFirst, 0);
  }

  build();
  if (model.get("focus_token") > (model.__twFocusHandled || 0)) {
    onFocusRequest();
  }
  const rebuildOn = ["change:legend_html", "change:option_html", "change:multiple", "change:hint"];
  const syncOn = ["change:selected", "change:marks", "change:mark_labels", "change:disabled"];
  rebuildOn.forEach((event) => model.on(event, build));
  syncOn.forEach((event) => model.on(event, sync));
  model.on("change:focus_token", onFocusRequest);
  return () => {
    rebuildOn.forEach((event) => model.off(event, build));
    syncOn.forEach((event) => model.off(event, sync));
    model.off("change:focus_token", onFocusRequest);
  };
}

export default { render };
