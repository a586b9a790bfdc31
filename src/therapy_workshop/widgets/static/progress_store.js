// Keeps the learner's progress in their own browser (localStorage), never on the server.
// On load it hands what it finds to the kernel (the kernel checks it and may ask for it to be cleared);
// whenever the kernel sends new progress, it is written back. "Reset my progress" clears it.
const KEY = "your-rights-in-therapy/progress";

function render({ model, el }) {
  el.classList.add("tw-progress-store");
  let stored = "";
  try {
    stored = window.localStorage.getItem(KEY) || "";
  } catch (error) {
    stored = "";
  }
  model.set("loaded", stored);
  model.set("ready", true);
  model.save_changes();

  function write() {
    const value = model.get("to_store");
    try {
      if (value) {
        window.localStorage.setItem(KEY, value);
      } else {
        window.localStorage.removeItem(KEY);
      }
    } catch (error) {
      // Private windows may refuse storage: progress then lasts only for this visit.
    }
  }

  model.on("change:to_store", write);
  return () => model.off("change:to_store", write);
}

export default { render };
