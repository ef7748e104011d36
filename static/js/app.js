// Small progressive enhancements; everything works without them.
document.addEventListener("keydown", (event) => {
  // Ctrl/Cmd+Enter in the prompt box submits its form (through htmx when it is active).
  const box = event.target;
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && box.matches("[data-submit-on-ctrl-enter]")) {
    event.preventDefault();
    box.form.requestSubmit();
  }
});

document.addEventListener("htmx:afterSwap", (event) => {
  // After a successful submit the fresh form takes the focus back for the next prompt.
  if (event.detail.target && event.detail.target.id === "cards") {
    const prompt = document.querySelector("#prompt-form textarea[name=prompt]");
    if (prompt) prompt.focus();
  }
});

// --- Gallery: copy buttons, the selection count, and the lightbox ---------------------------
document.addEventListener("click", (event) => {
  // A "Copy prompt" button copies the text of the element its data-copy names.
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.querySelector(button.dataset.copy);
  if (!source || !navigator.clipboard) return;
  navigator.clipboard.writeText(source.textContent.trim()).then(() => {
    const label = button.textContent;
    button.textContent = "Copied";
    setTimeout(() => { button.textContent = label; }, 1500);
  }, () => { button.textContent = "Copy failed: select the text"; });
});

function selectionCount() {
  // The bulk bar says how many cards are selected.
  const count = document.getElementById("bulk-count");
  if (count) count.value = document.querySelectorAll(".card__select:checked").length;
}
document.addEventListener("change", (event) => {
  if (event.target.matches(".card__select")) selectionCount();
});
document.addEventListener("click", (event) => {
  // "Select all" ticks every card loaded so far, or clears them when all are ticked.
  if (!event.target.closest("[data-select-all]")) return;
  const boxes = Array.from(document.querySelectorAll(".card__select"));
  const all = boxes.every((box) => box.checked);
  boxes.forEach((box) => { box.checked = !all; });
  selectionCount();
});

const lightbox = {
  dialog: () => document.getElementById("lightbox"),
  current: null,
  links: () => Array.from(document.querySelectorAll("#grid a[data-lightbox-open]")),
  show(link) {
    const dialog = this.dialog();
    if (!dialog || !link) return;
    this.current = link;
    htmx.ajax("GET", link.getAttribute("href") + "?view=lightbox", { target: "#lightbox-body", swap: "innerHTML" });
    if (!dialog.open) dialog.showModal();
  },
  step(offset) {
    const links = this.links();
    const next = links[links.indexOf(this.current) + offset];
    if (next) return this.show(next);
    // Past the last card loaded: fetch the next page (as scrolling would), then go on.
    const more = document.querySelector("#grid .grid__more[hx-get]");
    if (offset > 0 && more) {
      htmx.ajax("GET", more.getAttribute("hx-get"), { target: more, swap: "outerHTML" })
        .then(() => this.step(offset));
    }
  },
};

document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-lightbox-open]");
  if (link && !(event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0)) {
    // Plain clicks open the lightbox; the link still leads to the detail page otherwise.
    event.preventDefault();
    lightbox.show(link);
    return;
  }
  const control = event.target.closest("[data-lightbox]");
  if (!control) return;
  const action = control.dataset.lightbox;
  if (action === "close") lightbox.dialog().close();
  else lightbox.step(action === "next" ? 1 : -1);
});

document.addEventListener("keydown", (event) => {
  const dialog = lightbox.dialog();
  if (!dialog || !dialog.open) return;
  // Esc closes the dialog natively; the arrows walk through the grid.
  if (event.key === "ArrowRight") { event.preventDefault(); lightbox.step(1); }
  if (event.key === "ArrowLeft") { event.preventDefault(); lightbox.step(-1); }
});

document.addEventListener("close", (event) => {
  // Back to the card the viewer was showing.
  if (event.target.id === "lightbox" && lightbox.current) lightbox.current.focus();
}, true);

document.addEventListener("htmx:pushedIntoHistory", () => {
  // After a bulk action the designer comes back to the filters they see now.
  const next = document.querySelector("#bulk input[name=next]");
  if (next) next.value = location.pathname + location.search;
});

// --- Composer: offer only the sizes and ratios the chosen model makes -----------------------
// The server puts each model's sizes and ratios on its option (and refuses others); this only
// disables the rest as the model changes, leaving options the server disabled as they were.
function composerFit(form) {
  const model = form && form.querySelector("[data-model-select]");
  const chosen = model && model.selectedOptions[0];
  if (!chosen || chosen.dataset.sizes === undefined) return;
  [["[data-size-select]", chosen.dataset.sizes], ["[data-ratio-select]", chosen.dataset.ratios]]
    .forEach(([selector, offered]) => {
      const select = form.querySelector(selector);
      if (!select) return;
      const allowed = offered.split(" ");
      Array.from(select.options).forEach((option) => {
        if (!allowed.includes(option.value)) {
          if (!option.disabled) option.dataset.notForModel = "";
          option.disabled = true;
        } else if (option.dataset.notForModel !== undefined) {
          option.disabled = false;
          delete option.dataset.notForModel;
        }
      });
      if (select.selectedOptions[0] && select.selectedOptions[0].disabled) {
        const first = Array.from(select.options).find((option) => !option.disabled);
        if (first) select.value = first.value;
      }
    });
}
document.addEventListener("change", (event) => {
  if (event.target.matches("[data-model-select]")) composerFit(event.target.form);
});
htmx.onLoad((root) => {
  const form = root.id === "prompt-form" ? root : root.querySelector && root.querySelector("#prompt-form");
  composerFit(form);
});
