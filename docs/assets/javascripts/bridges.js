// Building Bridges in the browser. Without JavaScript every page still reads,
// links and prints as it should, and the theme follows the system setting.
//
// 1. The first view. Material's bundle.js (34 KB gzipped) is not loaded with
// the page. Until it is, this part does what the page needs from it: the theme
// toggle, the navigation drawer, the table of contents that follows the
// reader, the page title in the header and the keyboard shortcuts. The bundle
// (with the stylesheet of what it draws) loads when the reader first turns to
// search; it then waits for a DOMContentLoaded that has passed, so it gets
// one, and takes over the parts of this one marked "until Material runs".
(() => {
  "use strict";

  const bundleUrl = document.currentScript?.dataset.materialBundle;
  const body = document.body;
  const searchToggle = document.getElementById("__search");
  const drawerToggle = document.getElementById("__drawer");
  const query = document.querySelector(".md-search__input");
  const untilMaterial = new AbortController();
  const beforeMaterial = { signal: untilMaterial.signal };
  let material = null;

  function loadMaterial() {
    material ??= new Promise((resolve, reject) => {
      if (!bundleUrl) return reject(new Error("no Material bundle named"));
      const sheet = document.querySelector('link[rel="stylesheet"][href*="stylesheets/site."]');
      if (sheet) {
        const later = document.createElement("link");
        later.rel = "stylesheet";
        later.href = sheet.href.replace("stylesheets/site.", "stylesheets/site-on-demand.");
        document.head.append(later);
      }
      // Preloaded first, so the address below goes without its #fragment only
      // for the moment the bundle runs: Material closes search 125 ms after
      // it starts on an address with a fragment, which would shut the search
      // the reader is typing in.
      const preload = document.createElement("link");
      preload.rel = "preload";
      preload.as = "script";
      preload.href = bundleUrl;
      preload.onerror = reject;
      preload.onload = () => {
        const address = location.href;
        const script = document.createElement("script");
        script.src = bundleUrl;
        script.onerror = reject;
        script.onload = () => {
          if (location.href !== address) history.replaceState(history.state, "", address);
          untilMaterial.abort();
          document.dispatchEvent(new Event("DOMContentLoaded"));
          resolve();
        };
        if (location.hash) history.replaceState(history.state, "", address.split("#")[0]);
        body.append(script);
      };
      document.head.append(preload);
    }).catch(() => {
      material = null; // offline for a moment, say: the next use of search tries again
    });
    return material;
  }

  function setToggle(toggle, open) {
    // A click, as Material does it, so "change" listeners hear of it.
    if (toggle && toggle.checked !== open) toggle.click();
  }

  // Theme toggle: the button shown names the scheme it switches to.
  const toggles = [...document.querySelectorAll(".bb-palette__toggle")];
  const systemDark = matchMedia("(prefers-color-scheme: dark)");

  function applyColors(colors) {
    body.setAttribute("data-md-color-switching", "");
    for (const key of ["scheme", "primary", "accent"]) {
      if (colors[key]) body.setAttribute(`data-md-color-${key}`, colors[key]);
    }
    setTimeout(() => body.removeAttribute("data-md-color-switching"));
  }

  for (const toggle of toggles) {
    toggle.addEventListener("click", () => {
      const { bbMedia: media, bbScheme: scheme, bbPrimary: primary, bbAccent: accent } =
        toggle.dataset;
      const color = { media, scheme, primary, accent };
      applyColors(color);
      __md_set("__palette", { index: Number(toggle.dataset.bbIndex), color });
      // The pressed button is now hidden: keep the keyboard on the one shown.
      toggles.find((other) => other !== toggle && other.offsetParent)?.focus();
    });
  }
  systemDark.addEventListener("change", () => {
    if (!__md_get("__palette")) applyColors({ scheme: systemDark.matches ? "slate" : "default" });
  });

  // Navigation drawer on narrow screens: a real button, and the closed drawer
  // is inert, so Tab does not wander through links that are off the screen.
  const menuButton = document.querySelector(".bb-header__menu");
  const drawer = document.querySelector(".md-sidebar--primary");
  const offCanvas = matchMedia("(max-width: 76.234375em)");

  function syncDrawer() {
    const open = drawerToggle.checked;
    menuButton?.setAttribute("aria-expanded", String(open));
    if (drawer) drawer.inert = offCanvas.matches && !open;
  }

  if (drawerToggle) {
    menuButton?.addEventListener("click", () => {
      setToggle(drawerToggle, !drawerToggle.checked);
      if (drawerToggle.checked) drawer?.querySelector(".md-nav__list a[href]")?.focus();
    });
    drawerToggle.addEventListener("change", syncDrawer);
    offCanvas.addEventListener("change", syncDrawer);
    addEventListener("pageshow", syncDrawer);
    document.addEventListener("keydown", (event) => {
      if (event.key !== "Escape" || !drawerToggle.checked) return;
      setToggle(drawerToggle, false);
      menuButton?.focus();
    });
    // On phones the drawer shows this page's table of contents behind a label
    // (and a label leads back): Tab reaches them, Enter and Space work them.
    for (const label of drawer?.querySelectorAll("label[for=__toc]") ?? []) {
      label.tabIndex = 0;
      label.addEventListener("keydown", (event) => {
        if (event.key !== "Enter" && event.key !== " ") return;
        event.preventDefault();
        event.stopPropagation(); // Material's bundle would click it a second time
        label.click();
        const toc = document.getElementById("__toc");
        if (toc && !toc.checked) drawer.querySelector("label.md-nav__link[for=__toc]")?.focus();
      });
    }
    // A link to a place on this page closes the drawer (Material does this too).
    drawer?.addEventListener("click", (event) => {
      const link = event.target instanceof Element ? event.target.closest("a[href]") : null;
      if (link && link.pathname === location.pathname && link.hash) setToggle(drawerToggle, false);
    });
    syncDrawer();
  }

  // Search: opening it loads Material, which runs search; what the reader
  // types meanwhile stays in the box, and Material searches it once ready.
  function openSearch() {
    setToggle(searchToggle, true);
    query?.focus();
    loadMaterial();
  }

  query?.addEventListener("focus", openSearch);
  document.querySelector(".bb-header__search")?.addEventListener("click", () => {
    openSearch();
    query?.select();
  });
  // A pointer on its way to the search box starts the download early.
  document.querySelector(".md-search")?.addEventListener("pointerover", loadMaterial, { once: true });
  if (/[?&](q|h)=/.test(location.search)) loadMaterial();

  // Tab in the search box closes search and moves on. Material's bundle would
  // also blur the box, and WebKit then starts Tab over from the top of the page.
  // Some key sources (WebKit's own automation among them) name Tab "Unidentified"
  // and give only its key code.
  const isTab = (event) => event.key === "Tab" || event.keyCode === 9;
  addEventListener("keydown", (event) => {
    if (!isTab(event) || event.target !== query) return;
    setToggle(searchToggle, false);
    event.stopPropagation();
  }, true);

  // Escape leaves search (until Material runs).
  query?.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    setToggle(searchToggle, false);
    query.blur();
  }, beforeMaterial);

  // Keyboard shortcuts (until Material runs): f, s or / search; p or , and n
  // or . go to the previous and next page.
  addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
    const active = document.activeElement;
    if (active && (active.isContentEditable || /^(INPUT|SELECT|TEXTAREA)$/.test(active.tagName))) {
      return;
    }
    const rel = { p: "prev", ",": "prev", n: "next", ".": "next" }[event.key];
    if (["f", "s", "/"].includes(event.key)) {
      event.preventDefault();
      openSearch();
      query?.select();
    } else if (rel) {
      const link = document.querySelector(`link[rel=${rel}]`);
      if (link) location.href = link.href;
    }
  }, beforeMaterial);

  // The page title takes the site name's place in the header once the page's
  // heading has scrolled under it, and the table of contents marks the section
  // being read and keeps it in view (until Material runs).
  const header = document.querySelector(".md-header");
  const title = document.querySelector("[data-md-component=header-title]");
  const heading = document.querySelector(".md-content h1");
  const grid = document.querySelector(".md-main__inner");
  const tocLinks = [...document.querySelectorAll("[data-md-component=toc] a.md-nav__link")]
    .map((link) => [link, document.getElementById(decodeURIComponent(link.hash.slice(1)))])
    .filter(([, target]) => target);
  let activeId = null;

  function follow() {
    const headerHeight = header ? header.offsetHeight : 0;
    if (title && heading) {
      const bottom = heading.getBoundingClientRect().bottom;
      title.classList.toggle("md-header__title--active", heading.offsetHeight > 0 && bottom <= headerHeight);
    }
    // As Material: a section counts as reached a little before its heading
    // meets the header; at the end of the page every section is reached.
    const reach = headerHeight + 0.8 * (grid ? grid.offsetTop - grid.parentElement.offsetTop : 0);
    const atEnd = scrollY + innerHeight >= Math.floor(document.body.scrollHeight);
    const reached = tocLinks.filter(([, target]) => atEnd || target.getBoundingClientRect().top < reach);
    const last = reached.at(-1);
    const id = last ? last[1].id : null;
    for (const [link, target] of tocLinks) {
      link.classList.toggle("md-nav__link--passed", reached.some(([, t]) => t === target));
      link.classList.toggle("md-nav__link--active", target.id === id);
    }
    if (id !== activeId) {
      activeId = id;
      for (const [link, target] of tocLinks) {
        if (target.id !== id || !link.offsetHeight) continue;
        const container = link.closest(".md-sidebar__scrollwrap");
        if (!container) continue;
        const offset = link.getBoundingClientRect().top - container.getBoundingClientRect().top;
        container.scrollTo({ top: container.scrollTop + offset - container.clientHeight / 2 });
      }
    }
  }

  let pending = false;
  function scheduleFollow() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      if (!untilMaterial.signal.aborted) follow();
    });
  }
  addEventListener("scroll", scheduleFollow, { passive: true, ...beforeMaterial });
  addEventListener("resize", scheduleFollow, beforeMaterial);
  follow();
})();

// 2. Glossary definitions in place: hover, keyboard focus or a first tap on a
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
    // Screen readers get the definition as the focused link's description
    // (see describe below); this box is its visible copy, so it is hidden from
    // the accessibility tree.
    element.setAttribute("aria-hidden", "true");
    element.addEventListener("mouseenter", () => clearTimeout(hideTimer));
    element.addEventListener("mouseleave", scheduleHide);
    document.body.append(element);
    return element;
  }

  function definitionOf(link) {
    const target = document.getElementById(link.dataset.bbDefinition);
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
  // A term link is described by its definition only while it has focus: a
  // screen reader then says it when the reader tabs to the term, and not
  // inside every sentence read on (decisions/006 says why).
  document.addEventListener("focusin", (event) => {
    const link = termFrom(event);
    if (!link) return;
    link.setAttribute("aria-describedby", link.dataset.bbDefinition);
    show(link);
  });
  document.addEventListener("focusout", (event) => {
    const link = termFrom(event);
    link?.removeAttribute("aria-describedby");
    if (link === openFor) hide();
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

// 3. Shareable links: a "Copy link" button on every heading and essay paragraph
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

  // The status region speaks every message. It shows as a box only when the
  // reader must copy the link by hand; a copied link is confirmed by a word
  // beside the button, which covers nothing (the box at the foot of the
  // window covered the Key ideas list).
  function announce(message, shown) {
    if (!status) {
      status = document.createElement("div");
      status.className = "bb-status";
      status.setAttribute("role", "status");
      document.body.append(status);
    }
    clearTimeout(statusTimer);
    status.textContent = message;
    status.classList.toggle("bb-status--visible", shown);
    status.classList.toggle("bb-status--spoken", !shown);
    statusTimer = setTimeout(() => status.classList.remove("bb-status--visible"), 4000);
  }

  function confirmBeside(button) {
    const done = document.createElement("span");
    done.className = "bb-share__done";
    done.setAttribute("aria-hidden", "true"); // the status region has said it
    done.textContent = "Copied";
    button.parentElement.querySelector(".bb-share__done")?.remove();
    button.after(done);
    setTimeout(() => done.remove(), 2500);
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
    // A heading is named by its own text: the buttons inside it must not join
    // its name (nor the name of a landmark labelled by it, such as Related).
    if (!target.matches("p")) target.setAttribute("aria-label", target.textContent.trim());
    const controls = document.createElement("span");
    controls.className = "bb-share";
    const copyButton = button("copy", `Copy link to ${what}`, ICON_LINK);
    copyButton.addEventListener("click", async () => {
      const copied = await copy(link);
      announce(copied ? `Link copied: ${link}` : `Copy this link: ${link}`, !copied);
      if (copied) confirmBeside(copyButton);
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

// 4. Landing on a shared link: forward ids that were renamed (see moved_anchors
// in the page's front matter), then highlight the target briefly. The skip
// link also changes the fragment, but it is no shared link: no highlight.
// Without this script, an id renamed on the same page still lands: the build
// keeps it as an empty alias element at the new one, and hosts that read
// _redirects or the nginx snippet send moved pages on with a 301. On GitHub
// Pages, which has neither, this script and mkdocs-redirects' pages forward.
(() => {
  "use strict";

  const data = document.getElementById("bb-moved-anchors");
  const moved = data ? JSON.parse(data.textContent) : {};

  let skippedAt = -Infinity;
  document.addEventListener("click", (event) => {
    if (event.target instanceof Element && event.target.closest("a.md-skip")) {
      skippedAt = performance.now();
    }
  }, true);

  function land() {
    const id = decodeURIComponent(location.hash.slice(1));
    if (performance.now() - skippedAt < 1000) return;
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
