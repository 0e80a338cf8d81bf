// Building Bridges in the browser. Three independent parts; without JavaScript
// every page still reads, links and prints as it should.

// 1. Glossary definitions in place: hover, keyboard focus or a first tap on a
// term shows its definition; Escape, moving away or tapping elsewhere hides it.
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

// 2. Shareable links: a "Copy link" button on every heading and essay paragraph
// (and "Share" where the device has a share sheet), with a spoken confirmation.
(() => {
  "use strict";

  const TARGETS = "article h2[id], article h3[id], article .essay p[id]";
  const ICON_LINK =
    '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M10.6 13.4a1 1 0 0 1 0-1.4l3.4-3.4a1 1 0 1 1 1.4 1.4L12 13.4a1 1 0 0 1-1.4 0ZM8.5 20.5a4.95 4.95 0 0 1-3.5-8.46l2.1-2.12a1 1 0 0 1 1.42 1.42l-2.12 2.12a2.95 2.95 0 0 0 4.17 4.17l2.12-2.12a1 1 0 0 1 1.42 1.42l-2.12 2.12a4.92 4.92 0 0 1-3.5 1.45Zm8-6.08a1 1 0 0 1-.71-1.71l2.12-2.12a2.95 2.95 0 0 0-4.17-4.17l-2.12 2.12A1 1 0 0 1 10.2 7.1l2.12-2.12a4.95 4.95 0 0 1 7 7l-2.12 2.12a1 1 0 0 1-.7.3Z"/></svg>';
  const ICON_SHARE =
    '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M18 16.1a2.9 2.9 0 0 0-2 .8l-7.1-4.2a3.3 3.3 0 0 0 0-1.4L16 7.2a3 3 0 1 0-1-2.2 3.3 3.3 0 0 0 .1.7L8 9.8a3 3 0 1 0 0 4.4l7.1 4.2a2.8 2.8 0 0 0-.1.6 2.9 2.9 0 1 0 3-2.9Z"/></svg>';
  let status = null;
  let statusTimer = 0;

  function pageUrl() {
    const canonical = document.querySelector('link[rel="canonical"]');
    return (canonical ? canonical.href : location.href).split("#")[0];
  }

  function describe(target) {
    if (target.matches("p")) {
      const number = target.id.replace(/\D+/g, "");
      return number ? `paragraph ${number} of the essay` : "this paragraph";
    }
    return `section “${target.textContent.trim()}”`;
  }

  function announce(message) {
    if (!status) {
      status = document.createElement("div");
      status.className = "bb-status";
      status.setAttribute("role", "status");
      document.body.append(status);
    }
    clearTimeout(statusTimer);
    status.textContent = message;
    status.classList.add("bb-status--visible");
    statusTimer = setTimeout(() => status.classList.remove("bb-status--visible"), 4000);
  }

  async function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      try {
        await navigator.clipboard.writeText(text);
        return true;
      } catch {
        // Permission refused: fall through to the older way.
      }
    }
    const field = document.createElement("textarea");
    field.value = text;
    field.setAttribute("readonly", "");
    field.className = "bb-offscreen";
    document.body.append(field);
    field.select();
    let copied = false;
    try {
      copied = document.execCommand("copy");
    } catch {
      copied = false;
    }
    field.remove();
    return copied;
  }

  function button(kind, label, icon) {
    const element = document.createElement("button");
    element.type = "button";
    element.className = `bb-share__button bb-share__button--${kind}`;
    element.setAttribute("aria-label", label);
    element.title = label;
    element.innerHTML = icon;
    return element;
  }

  function addControls(target) {
    const link = `${pageUrl()}#${target.id}`;
    const what = describe(target);
    const controls = document.createElement("span");
    controls.className = "bb-share";
    const copyButton = button("copy", `Copy link to ${what}`, ICON_LINK);
    copyButton.addEventListener("click", async () => {
      const copied = await copy(link);
      announce(copied ? `Link copied: ${link}` : `Copy this link: ${link}`);
    });
    controls.append(copyButton);
    if (navigator.share) {
      const shareButton = button("share", `Share ${what}`, ICON_SHARE);
      shareButton.addEventListener("click", () => {
        navigator.share({ title: document.title, url: link }).catch(() => {});
      });
      controls.append(shareButton);
    }
    target.append(controls);
  }

  document.querySelectorAll(TARGETS).forEach(addControls);
})();

// 3. Landing on a shared link: forward ids that were renamed (see moved_anchors
// in the page's front matter), then highlight the target briefly. Without this
// script, an id renamed on the same page still lands: the build keeps it as an
// empty alias element at the new one, and hosts that read _redirects or the nginx
// snippet send moved pages on with a 301. On GitHub Pages, which has neither,
// this script and mkdocs-redirects' pages do the forwarding.
(() => {
  "use strict";

  const data = document.getElementById("bb-moved-anchors");
  const moved = data ? JSON.parse(data.textContent) : {};

  function land() {
    const id = decodeURIComponent(location.hash.slice(1));
    if (!id || id.startsWith(":~:")) return;
    const alias = document.getElementById(id)?.dataset.bbAliasOf;
    if (alias) {
      location.replace(`#${alias}`); // show the current id in the address bar
      return;
    }
    if (!document.getElementById(id) && moved[id]) {
      const next = moved[id];
      // Material sets __md_scope to the site's root URL.
      const root = window.__md_scope ?? new URL("/", location.href);
      location.replace(next.includes("#") ? new URL(next, root) : `#${next}`);
      return;
    }
    const target = document.getElementById(id);
    if (!target) return;
    target.classList.remove("bb-landed");
    void target.offsetWidth; // restart the highlight on a repeated visit
    target.classList.add("bb-landed");
  }

  land();
  window.addEventListener("hashchange", land);
})();
