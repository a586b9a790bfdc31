// Keeps one record in the learner's own browser, never on the server: their progress and place, or the room
// they joined (the key says which).
// Which storage holds it is the learner's choice, kept in localStorage under the model's keep_key: "Keep my place
// on this device" (localStorage) or, by default, "Keep nothing after this tab closes" (sessionStorage: a reload
// keeps the place, closing the tab forgets it). The choice is read again before every read and write, so a record
// goes where the device's choice says even if another tab changed it.
// On load it hands what it finds to the kernel (the kernel checks it and may ask for it to be cleared);
// whenever the kernel sends new progress, it is written back. "Reset my progress" clears it.
// The kernel may also ask (custom messages) to move every record of the workshop to the other storage, or to
// clear them all; the answer says how many records that touched.
// Outside the app (JupyterLab, where the learner can restart the kernel) it also says in words when the
// notebook's kernel is lost; the app's page template does that itself, with a Reload button.
const LOST = "jupyter-widgets-disconnected"; // the class ipywidgets gives every view of a lost kernel
const LOCAL = "localStorage";
const SESSION = "sessionStorage";

// Browsers may refuse storage (private windows, blocked site data): every access is guarded, and a refusal
// means the record lasts only as long as the kernel.
function area(name) {
  try {
    return window[name] || null;
  } catch (error) {
    return null;
  }
}

function read(name, key) {
  try {
    const storage = area(name);
    return storage ? storage.getItem(key) : null;
  } catch (error) {
    return null;
  }
}

function write(name, key, value) {
  try {
    area(name).setItem(key, value);
    return true;
  } catch (error) {
    return false;
  }
}

function remove(name, key) {
  try {
    const storage = area(name);
    if (storage) {
      storage.removeItem(key);
    }
  } catch (error) {
    // nothing to remove where storage is refused
  }
}

function keysOf(name, prefix) {
  const keys = [];
  try {
    const storage = area(name);
    for (let index = 0; storage && index < storage.length; index += 1) {
      const key = storage.key(index);
      if (key && key.startsWith(prefix)) {
        keys.push(key);
      }
    }
  } catch (error) {
    return [];
  }
  return keys;
}

function keepsPlace(model) {
  return read(LOCAL, model.get("keep_key")) === model.get("keep_value");
}

function storageFor(model) {
  return keepsPlace(model) ? LOCAL : SESSION;
}

// Keep my place: this tab's records go to localStorage and the choice is written. Keep nothing: localStorage's
// records come into this tab and are deleted from localStorage, with the choice itself. Keys kept for one tab
// whatever the choice (the facilitator's key) stay where they are.
function move(model, command) {
  const keepKey = model.get("keep_key");
  const from = command.keep_place ? SESSION : LOCAL;
  const to = command.keep_place ? LOCAL : SESSION;
  const tabOnly = command.tab_only || [];
  let moved = 0;
  let ok = true;
  for (const key of keysOf(from, command.prefix)) {
    if (key === keepKey || tabOnly.includes(key)) {
      continue;
    }
    const value = read(from, key);
    const copied = value !== null && write(to, key, value);
    // Keeping nothing deletes from the device even if this tab refused the copy: the kernel still holds it.
    if (copied || to === SESSION) {
      remove(from, key);
      moved += 1;
    }
    ok = ok && copied;
  }
  if (command.keep_place) {
    ok = write(LOCAL, keepKey, model.get("keep_value")) && ok;
  } else {
    remove(LOCAL, keepKey);
  }
  return { id: command.id, moved, ok, keep_place: keepsPlace(model) };
}

function clear(command) {
  let removed = 0;
  for (const name of [LOCAL, SESSION]) {
    for (const key of keysOf(name, command.prefix)) {
      remove(name, key);
      removed += 1;
    }
  }
  const left = keysOf(LOCAL, command.prefix).length + keysOf(SESSION, command.prefix).length;
  return { id: command.id, removed, left };
}

// Once per model (not per view), so a command is carried out once however often the widget is shown.
function initialize({ model }) {
  function onCommand(command) {
    if (!command || typeof command.id !== "number") {
      return;
    }
    if (command.do === "move") {
      model.send(move(model, command));
    } else if (command.do === "clear") {
      model.send(clear(command));
    }
  }
  model.on("msg:custom", onCommand);
  return () => model.off("msg:custom", onCommand);
}

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
  const where = storageFor(model);
  let stored = read(where, KEY);
  let movedIn = false;
  if (where === SESSION) {
    // A record left on the device while it keeps nothing (an earlier version kept everything there): this tab
    // takes it, and the device forgets it.
    const left = read(LOCAL, KEY);
    if (left !== null) {
      if (stored === null) {
        write(SESSION, KEY, left);
        stored = left;
        movedIn = true;
      }
      remove(LOCAL, KEY);
    }
  }
  model.set("storage", where);
  model.set("moved_in", movedIn);
  model.set("loaded", stored || "");
  model.set("ready", true);
  model.save_changes();

  function keep() {
    const value = model.get("to_store");
    const name = storageFor(model);
    if (value) {
      const kept = write(name, KEY, value);
      // One copy only, and never one on the device while it keeps nothing.
      if (kept || name === SESSION) {
        remove(name === LOCAL ? SESSION : LOCAL, KEY);
      }
    } else {
      remove(LOCAL, KEY);
      remove(SESSION, KEY);
    }
    if (model.get("storage") !== name) {
      model.set("storage", name);
      model.save_changes();
    }
  }

  model.on("change:to_store", keep);
  const stopWatching = watchForLostKernel(model, el);
  return () => {
    model.off("change:to_store", keep);
    stopWatching();
  };
}

export default { initialize, render };
