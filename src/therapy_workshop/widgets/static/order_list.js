// An ordered list the learner rearranges with buttons (no dragging). Each item has "Move up" and
// "Move down" buttons whose accessible names include the item, and Alt+ArrowUp / Alt+ArrowDown move the
// focused item. Focus follows the moved item, so a keyboard user can keep moving it.
function render({ model, el }) {
  const list = document.createElement("ol");
  list.className = "tw-order-list";
  el.append(list);
  let focusAfterDraw = null;

  function move(position, delta) {
    const order = [...model.get("order")];
    const target = position + delta;
    if (model.get("disabled") || target < 0 || target >= order.length) {
      return;
    }
    [order[position], order[target]] = [order[target], order[position]];
    focusAfterDraw = { item: order[target], direction: delta < 0 ? "up" : "down" };
    model.set("order", order);
    model.save_changes();
  }

  function draw() {
    const order = model.get("order");
    const texts = model.get("item_html");
    const plain = model.get("item_text");
    const marks = model.get("marks");
    const labels = model.get("labels");
    const disabled = model.get("disabled");
    list.replaceChildren();
    order.forEach((item, position) => {
      const row = document.createElement("li");
      row.className = "tw-order-item";
      row.dataset.mark = marks[position] || "";
      const text = document.createElement("span");
      text.className = "tw-order-text";
      text.innerHTML = texts[item];
      const mark = document.createElement("span");
      mark.className = "tw-mark";
      mark.textContent = marks[position] && labels[marks[position]] ? labels[marks[position]] : "";
      text.append(mark);
      const up = document.createElement("button");
      up.type = "button";
      up.className = "jupyter-button tw-order-up";
      up.textContent = labels.up;
      up.setAttribute("aria-label", `${labels.up}: ${plain[item]}`);
      up.disabled = disabled || position === 0;
      up.dataset.item = String(item);
      up.addEventListener("click", () => move(position, -1));
      const down = document.createElement("button");
      down.type = "button";
      down.className = "jupyter-button tw-order-down";
      down.textContent = labels.down;
      down.setAttribute("aria-label", `${labels.down}: ${plain[item]}`);
      down.disabled = disabled || position === order.length - 1;
      down.dataset.item = String(item);
      down.addEventListener("click", () => move(position, 1));
      row.addEventListener("keydown", (event) => {
        if (event.altKey && (event.key === "ArrowUp" || event.key === "ArrowDown")) {
          event.preventDefault();
          move(position, event.key === "ArrowUp" ? -1 : 1);
        }
      });
      row.append(text, up, down);
      list.append(row);
    });
    if (focusAfterDraw) {
      const { item, direction } = focusAfterDraw;
      focusAfterDraw = null;
      let button = list.querySelector(`button.tw-order-${direction}[data-item="${item}"]`);
      if (button && button.disabled) {
        button = list.querySelector(`button[data-item="${item}"]:not([disabled])`);
      }
      if (button) {
        button.focus();
      }
    }
  }

  const events = ["change:order", "change:item_html", "change:marks", "change:disabled", "change:labels"];
  events.forEach((event) => model.on(event, draw));
  draw();
  return () => events.forEach((event) => model.off(event, draw));
}

export default { render };
