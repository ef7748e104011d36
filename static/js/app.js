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
