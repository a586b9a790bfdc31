// A button that saves text the kernel prepared as a file on the learner's own device. The text is turned
// into a file in the browser (a Blob), so nothing is written on the server and nothing is sent anywhere.
function render({ model, el }) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "tw-download jupyter-button";
  el.append(button);

  function draw() {
    button.textContent = model.get("label");
    button.disabled = !model.get("text") && !model.get("data_base64");
  }

  function save() {
    const base64 = model.get("data_base64");
    let blob;
    if (base64) {
      const bytes = Uint8Array.from(atob(base64), (character) => character.charCodeAt(0));
      blob = new Blob([bytes], { type: model.get("mime") });
    } else {
      blob = new Blob([model.get("text")], { type: "text/plain;charset=utf-8" });
    }
    const url = URL.createObjectURL(blob);
    const link = document.createElement("a");
    link.href = url;
    link.download = model.get("filename");
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
    model.set("downloads", model.get("downloads") + 1);
    model.save_changes();
  }

  button.addEventListener("click", save);
  model.on("change:label", draw);
  model.on("change:text", draw);
  model.on("change:data_base64", draw);
  draw();
  return () => {
    button.removeEventListener("click", save);
    model.off("change:label", draw);
    model.off("change:text", draw);
    model.off("change:data_base64", draw);
  };
}

export default { render };
