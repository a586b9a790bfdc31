// What this device keeps: two native radio buttons in a fieldset whose legend is the question, a line saying what
// downloads leave behind, a status line for what a change did, and "Clear everything this site stored on this
// device". In the header it is a native <details> (Enter or Space opens it, no kernel round trip); on the start
// page a section with a heading. The browser storage itself is moved and cleared by progress_store.js, which the
// kernel asks: this file only draws the control and reports what the learner chose or pressed.
// Ids and radio names must be unique in the page (the header and the start page each have one): a counter on
// window with a random part, as in choices.js.
function uniqueId() {
  window.__twDeviceChoices = (window.__twDeviceChoices || 0) + 1;
  return `tw-device-${window.__twDeviceChoices}-${Math.random().toString(36).slice(2, 8)}`;
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text) {
    node.textContent = text;
  }
  return node;
}

function render({ model, el }) {
  el.classList.add("tw-device-host");
  const words = model.get("words");
  const id = uniqueId();
  const compact = model.get("compact");

  const radios = {};
  const fieldset = element("fieldset", "tw-device-choices");
  fieldset.append(element("legend", "tw-device-legend", words.question));
  for (const value of ["nothing", "place"]) {
    const row = element("div", "tw-device-option");
    const input = document.createElement("input");
    input.type = "radio";
    input.name = id;
    input.id = `${id}-${value}`;
    input.value = value;
    input.setAttribute("aria-describedby", `${id}-${value}-hint`);
    input.addEventListener("change", () => {
      if (input.checked) {
        model.set("keep_place", value === "place");
        model.save_changes();
      }
    });
    const text = element("div", "tw-device-option-text");
    const label = element("label", "", words[`keep_${value}`]);
    label.htmlFor = input.id;
    const hint = element("p", "tw-device-hint", words[`keep_${value}_hint`]);
    hint.id = `${id}-${value}-hint`;
    text.append(label, hint);
    row.append(input, text);
    fieldset.append(row);
    radios[value] = input;
  }

  const now = element("p", "tw-device-now");
  const downloads = element("p", "tw-device-downloads", words.downloads);
  const notice = element("p", "tw-device-notice");
  notice.setAttribute("role", "status");
  notice.setAttribute("aria-label", words.notice_label);
  const clearButton = element("button", "tw-device-clear-button", words.clear);
  clearButton.type = "button";
  clearButton.setAttribute("aria-describedby", `${id}-clear`);
  clearButton.addEventListener("click", () => model.send({ clear: true }));
  const clearExplain = element("p", "tw-device-clear-explain", words.clear_explain);
  clearExplain.id = `${id}-clear`;
  const clearPass = element("p", "tw-device-pass", words.clear_pass);
  const clearPart = element("div", "tw-device-clear");
  clearPart.append(clearButton, clearExplain, clearPass);

  const body = element("div", "tw-device-body");
  body.append(element("p", "tw-device-intro", words.intro), fieldset, downloads, notice, clearPart);

  let state = null;
  if (compact) {
    const details = element("details", "tw-device tw-device-compact");
    const summary = document.createElement("summary");
    state = element("span", "tw-device-state");
    summary.append(state, " ", element("span", "tw-device-change", words.change));
    details.append(summary, body);
    el.append(details);
  } else {
    const section = element("section", "tw-device tw-device-full");
    const heading = element("h3", "tw-device-heading", words.heading);
    heading.id = `${id}-heading`;
    section.setAttribute("aria-labelledby", heading.id);
    body.insertBefore(now, fieldset.nextSibling);
    section.append(heading, body);
    el.append(section);
    state = now;
  }

  function draw() {
    const keepPlace = model.get("keep_place");
    radios.place.checked = keepPlace;
    radios.nothing.checked = !keepPlace;
    state.textContent = keepPlace ? words.keeps_place : words.keeps_nothing;
  }

  function drawNotice() {
    notice.textContent = model.get("notice");
  }

  draw();
  drawNotice();
  model.on("change:keep_place", draw);
  model.on("change:notice", drawNotice);
  return () => {
    model.off("change:keep_place", draw);
    model.off("change:notice", drawNotice);
  };
}

export default { render };
