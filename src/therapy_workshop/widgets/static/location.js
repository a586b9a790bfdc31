// The app's link to the browser's address bar and to in-page links between modules.
// - Reports the query string the page was opened with (?module=03-ending deep links); with a preheated
//   kernel the notebook ran before the request existed, so the kernel cannot read it any other way.
// - Catches clicks on "?module=<id>" links anywhere in the page and asks the kernel to switch module,
//   so moving between modules never reloads the page or starts another kernel.
// - Keeps the address and the tab title in step with the module shown, so a reload lands on it.
const TAB_KEY = "your-rights-in-therapy/facilitator-key";

// The query as the page was opened, plus the facilitator's key for the views that need it. The page template
// took the key out of the address bar and kept it for this tab (sessionStorage), so a reload keeps the view.
function reportedQuery() {
  const params = new URLSearchParams(window.location.search);
  let key = null;
  try {
    key = window.sessionStorage.getItem(TAB_KEY);
  } catch (error) {
    key = null;
  }
  if (key && ["facilitator", "results"].includes(params.get("view"))) {
    params.set("key", key);
  }
  const query = params.toString();
  return query ? `?${query}` : "";
}

function render({ model, el }) {
  el.classList.add("tw-location");

  model.set("query", reportedQuery());
  model.set("page_url", window.location.origin + window.location.pathname);
  model.save_changes();

  const mainRegion = document.querySelector(".tw-body");
  if (mainRegion) {
    mainRegion.setAttribute("role", "main");
  }

  function onClick(event) {
    if (event.defaultPrevented || event.button !== 0) {
      return;
    }
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      return; // let people open a module in a new tab if they want to
    }
    const link = event.target.closest ? event.target.closest('a[href^="?module="]') : null;
    if (!link) {
      return;
    }
    const [query, fragment] = link.getAttribute("href").slice(1).split("#", 2);
    const moduleId = new URLSearchParams(query).get("module");
    if (!moduleId) {
      return;
    }
    event.preventDefault();
    // A link to a part of a module ("#Staying-safe-while-you-use-this") is followed there once the module shows,
    // and focus goes to that part instead of the module's heading.
    wanted = { module: moduleId, part: fragment ? decodeURIComponent(fragment) : "" };
    if (moduleId === model.get("current")) {
      showPart(wanted.part, 40);
      wanted = { module: "", part: "" };
    } else {
      model.send({ go: moduleId });
    }
  }

  let wanted = { module: "", part: "" };
  function showPart(id, triesLeft) {
    const part = document.getElementById(id);
    if (part) {
      part.tabIndex = -1;
      part.scrollIntoView();
      part.focus();
    } else if (triesLeft > 0) {
      setTimeout(() => showPart(id, triesLeft - 1), 50);
    }
  }

  let firstShow = true;
  let shownModule = null;
  function focusHeading(moduleId, triesLeft) {
    const heading = document.querySelector(`.tw-module-title[data-module="${CSS.escape(moduleId)}"]`);
    if (heading) {
      heading.tabIndex = -1;
      heading.focus();
      return;
    }
    if (triesLeft > 0) {
      setTimeout(() => focusHeading(moduleId, triesLeft - 1), 50);
    }
  }

  function onModule() {
    const moduleId = model.get("current");
    if (!moduleId) {
      return;
    }
    const url = new URL(window.location.href);
    if (url.searchParams.get("module") !== moduleId) {
      url.searchParams.set("module", moduleId);
      window.history.replaceState(null, "", url);
    }
    const title = model.get("page_title");
    if (title) {
      document.title = title;
    }
    const body = document.querySelector(".tw-body");
    if (body) {
      body.setAttribute("role", "main");
    }
    // Called again when the title follows: focus moves only once per module, so it stays where it was put.
    const moved = moduleId !== shownModule;
    shownModule = moduleId;
    // The title may follow before or after the module itself: only arriving in the wanted module shows its part.
    if (moved && wanted.part && wanted.module === moduleId) {
      showPart(wanted.part, 40);
      wanted = { module: "", part: "" };
    } else if (moved && !firstShow) {
      focusHeading(moduleId, 40);
    }
    firstShow = false;
  }

  document.addEventListener("click", onClick);
  model.on("change:current", onModule);
  model.on("change:page_title", onModule);
  onModule();
  return () => {
    document.removeEventListener("click", onClick);
    model.off("change:current", onModule);
    model.off("change:page_title", onModule);
  };
}

export default { render };
