// Glossary definitions in place: hover, keyboard focus or a first tap on a term
// shows its definition; Escape, moving away or tapping elsewhere hides it.
// Without JavaScript a term is a plain link to its glossary entry or chapter.
(() => {
  "use strict";

  const HIDE_DELAY_MS = 150;
  const GAP_PX = 8;
  let tooltip = null;
  let openFor = null;
  let hideTimer = 0;

  function createTooltip() {
    const element = document.createElement("div");
    element.className = "bb-tooltip";
    element.id = "bb-tooltip";
    element.hidden = true;
    // Screen readers already get the definition through aria-describedby;
    // this box is its visible copy, so it is hidden from the accessibility tree.
    element.setAttribute("aria-hidden", "true");
    element.addEventListener("mouseenter", () => clearTimeout(hideTimer));
    element.addEventListener("mouseleave", scheduleHide);
    document.body.append(element);
    return element;
  }

  function definitionOf(link) {
    const target = document.getElementById(link.getAttribute("aria-describedby"));
    const name = target?.previousElementSibling?.textContent ?? link.textContent;
    return target ? { name, text: target.textContent } : null;
  }

  function show(link) {
    const definition = definitionOf(link);
    if (!definition) return;
    clearTimeout(hideTimer);
    tooltip ??= createTooltip();
    const name = document.createElement("strong");
    name.textContent = definition.name;
    tooltip.replaceChildren(name, document.createTextNode(` ${definition.text}`));
    tooltip.hidden = false;
    openFor = link;
    place(link);
  }

  function place(link) {
    const box = link.getBoundingClientRect();
    const width = Math.min(320, document.documentElement.clientWidth - 2 * GAP_PX);
    tooltip.style.maxWidth = `${width}px`;
    const left = Math.min(
      Math.max(GAP_PX, box.left),
      document.documentElement.clientWidth - tooltip.offsetWidth - GAP_PX,
    );
    const below = box.bottom + GAP_PX;
    const fitsBelow = below + tooltip.offsetHeight < window.innerHeight;
    const top = fitsBelow ? below : box.top - GAP_PX - tooltip.offsetHeight;
    tooltip.style.left = `${left + window.scrollX}px`;
    tooltip.style.top = `${Math.max(GAP_PX, top) + window.scrollY}px`;
  }

  function hide() {
    clearTimeout(hideTimer);
    if (!openFor) return;
    tooltip.hidden = true;
    openFor = null;
  }

  function scheduleHide() {
    clearTimeout(hideTimer);
    hideTimer = setTimeout(hide, HIDE_DELAY_MS);
  }

  function termFrom(event) {
    return event.target instanceof Element ? event.target.closest("a.bb-term") : null;
  }

  let lastPointer = "mouse";
  let wasOpenAtTap = false;
  document.addEventListener("pointerdown", (event) => {
    lastPointer = event.pointerType;
    const link = termFrom(event);
    wasOpenAtTap = link !== null && link === openFor;
    if (openFor && !link) hide();
  });
  document.addEventListener("mouseover", (event) => {
    const link = termFrom(event);
    if (link && lastPointer === "mouse") show(link);
  });
  document.addEventListener("mouseout", (event) => {
    if (termFrom(event) === openFor) scheduleHide();
  });
  document.addEventListener("focusin", (event) => {
    const link = termFrom(event);
    if (link) show(link);
  });
  document.addEventListener("focusout", (event) => {
    if (termFrom(event) === openFor) hide();
  });
  // On touch, the first tap shows the definition and the second follows the link.
  document.addEventListener("click", (event) => {
    const link = termFrom(event);
    const isKeyboard = event.detail === 0;
    if (!link || isKeyboard || lastPointer !== "touch" || wasOpenAtTap) return;
    event.preventDefault();
    show(link);
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && openFor) {
      hide();
      event.stopPropagation();
    }
  }, true);
  window.addEventListener("resize", () => openFor && place(openFor));
})();
