// Keeps one record in the learner's own browser (localStorage), never on the server: their progress and place,
// or the room they joined (the key says which).
// On load it hands what it finds to the kernel (the kernel checks it and may ask for it to be cleared);
// whenever the kernel sends new progress, it is written back. "Reset my progress" clears it.
// Outside the app (JupyterLab, where the learner can restart the kernel) it also says in words when the
// notebook's kernel is lost; the app's page template does that itself, with a Reload button.
const LOST = "jupyter-widgets-disconnected"; // the class ipywidgets gives every view of a lost kernel

function watchForLostKernel(model, el) {
  if (window.twPageKernel) {
    return () => {};
  }
  // This notebook's views only: in JupyterLab, other notebooks have kernels of their own.
  const root = el.closest(".jp-Notebook") || document.body;
  let notice = null;
  function update() {
    const lost = root.querySelector(`.${LOST}`) !== null;
    if (lost && !notice && model.get("lost_text")) {
      notice = document.createElement("div");
      notice.className = "tw-lab-lost";
      notice.setAttribute("role", "alert");
      notice.textContent = model.get("lost_text");
      document.body.appendChild(notice);
    } else if (!lost && notice) {
      notice.remove();
      notice = null;
    }
  }
  const observer = new MutationObserver(update);
  observer.observe(root, { attributes: true, attributeFilter: ["class"], subtree: true });
  return () => {
    observer.disconnect();
    if (notice) {
      notice.remove();
    }
  };
}

function render({ model, el }) {
  el.classList.add("tw-progress-store");
  const KEY = model.get("storage_key");
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
  const stopWatching = watchForLostKernel(model, el);
  return () => {
    model.off("change:to_store", write);
    stopWatching();
  };
}

export default { render };
