// A region whose content changes after a button press (quiz feedback, results). It stays in the page
// while its content changes, so screen readers announce updates, and it can take focus, so keyboard
// users land on the feedback instead of losing focus when the button they pressed is hidden.
function render({ model, el }) {
  const region = document.createElement("div");
  region.className = "tw-live";
  region.setAttribute("role", "status");
  region.tabIndex = -1;
  el.append(region);

  function draw() {
    region.innerHTML = model.get("html");
    const label = model.get("label");
    if (label) {
      region.setAttribute("aria-label", label);
    } else {
      region.removeAttribute("aria-label");
    }
  }

  function onFocusRequest() {
    model.__twFocusHandled = model.get("focus_token");
    setTimeout(() => region.focus(), 0);
  }

  draw();
  if (model.get("focus_token") > (model.__twFocusHandled || 0)) {
    onFocusRequest();
  }
  model.on("change:html", draw);
  model.on("change:label", draw);
  model.on("change:focus_token", onFocusRequest);
  return () => {
    model.off("change:html", draw);
    model.off("change:label", draw);
    model.off("change:focus_token", onFocusRequest);
  };
}

export default { render };
